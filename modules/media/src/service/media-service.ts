import type { Clock, Database } from '@emporium/platform';
import { normaliseImage } from './normalise-image.ts';

export interface FilesTable {
  sha256: string;
  content_type: string;
  data: Uint8Array;
  width: number;
  height: number;
  bytes: number;
  created_at: Date;
  created_by: string | null;
}

export interface MediaTables {
  'media.files': FilesTable;
}

export interface MediaContext {
  db: Database<MediaTables>;
  clock: Clock;
  /** Largest upload body accepted, in bytes (413 beyond). */
  maxBytes: number;
  /** Most pixels an upload may have (width × height of one frame) before it is decoded. */
  maxPixels: number;
}

/** What `POST /admin/media` answers. */
export interface UploadedFile {
  url: string;
  width: number;
  height: number;
  content_type: string;
  bytes: number;
}

/**
 * Normalises and stores an upload under the sha256 of the stored bytes. The same picture uploaded
 * again (by anyone) hits the same row and answers the same URL; the first uploader is kept.
 */
export async function storeUpload(
  ctx: MediaContext,
  bytes: Buffer,
  uploadedBy: string | null,
): Promise<UploadedFile> {
  const image = await normaliseImage(bytes, ctx.maxPixels);
  await ctx.db.primary
    .insertInto('media.files')
    .values({
      sha256: image.sha256,
      content_type: image.contentType,
      data: image.data,
      width: image.width,
      height: image.height,
      bytes: image.data.length,
      created_at: ctx.clock.now(),
      created_by: uploadedBy,
    })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  return {
    // Every stored image is WebP (normaliseImage).
    url: `/media/${Buffer.from(image.sha256, 'hex').toString('base64url')}.webp`,
    width: image.width,
    height: image.height,
    content_type: image.contentType,
    bytes: image.data.length,
  };
}

export interface StoredFile {
  sha256: string;
  contentType: string;
  data: Buffer;
}

/** A stored file by its hex sha256: from a replica, or the primary when the replica does not have it yet. */
export async function readFile(ctx: MediaContext, sha256: string): Promise<StoredFile | null> {
  const query = (db: typeof ctx.db.primary) =>
    db
      .selectFrom('media.files')
      .select(['sha256', 'content_type', 'data'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
  const row = (await query(ctx.db.replica())) ?? (await query(ctx.db.primary));
  if (!row) return null;
  return {
    sha256: row.sha256,
    contentType: row.content_type,
    data: Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength),
  };
}
