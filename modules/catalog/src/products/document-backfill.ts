import type { Logger } from '@emporium/platform';
import type { Executor } from '../db/executor.ts';
import { renderMissingDocuments } from './product-document.ts';

export interface DocumentBackfill {
  /** Starts rendering in the background; resolves at once. */
  start(): void;
  /** Stops after the batch under way (each batch is one statement) and waits for it. */
  stop(): Promise<void>;
  /** Resolves when the backfill has run out of rows, failed or been stopped. */
  done(): Promise<void>;
}

/**
 * Renders, batch by batch, the stored documents of products written before documents were stored
 * (an upgraded shop, a catalog loaded by an older version). Runs once per start and ends when none
 * is left, which on a current catalog is the first (indexed, empty) read. Until a row is rendered
 * the admin list assembles its document, so nothing waits for this.
 */
export function createDocumentBackfill(
  db: Executor,
  logger: Pick<Logger, 'info' | 'warn'>,
  batchSize = 500,
): DocumentBackfill {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const run = async (): Promise<void> => {
    let rendered = 0;
    try {
      while (!stopped) {
        const n = await renderMissingDocuments(db, batchSize);
        if (n === 0) break;
        if (rendered === 0) logger.info('catalog: rendering the stored documents of older products');
        rendered += n;
      }
      if (rendered > 0) logger.info({ products: rendered }, 'catalog: product documents rendered');
    } catch (err) {
      logger.warn(
        { err },
        'catalog: rendering product documents stopped; the admin list assembles them meanwhile and the next start resumes',
      );
    }
  };
  return {
    start() {
      stopped = false;
      running = run();
    },
    async stop() {
      stopped = true;
      await running;
    },
    done: () => running,
  };
}
