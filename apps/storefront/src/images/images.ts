import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { StoreApi } from '../api/store-api.ts';
import { type Html, html } from '../html/html.ts';

/** Widths every product image is offered at (CSS pixels × density chosen by the browser). */
export const IMAGE_WIDTHS = [320, 640, 960, 1280] as const;
const FORMATS = { avif: 'image/avif', webp: 'image/webp' } as const;
type Format = keyof typeof FORMATS;

export interface ImageOptions {
  /** Signs image URLs so that only images the storefront itself linked are resized. */
  key: string;
  /** Directory for the encoded images; null keeps them in memory only. */
  cacheDir: string | null;
  api: StoreApi;
}

export interface Images {
  /** A `<picture>` with AVIF and WebP at every width; `eager` for the image above the fold. */
  picture(
    image: { url: string; alt: string; width: number; height: number },
    sizes: string,
    eager?: boolean,
  ): Html;
  register(app: FastifyInstance): void;
}

/**
 * Product images resized and re-encoded with sharp (SVG demo pictures are rasterised). URLs are
 * immutable: they carry a signature of the source URL (which, for the catalog's images, names the
 * picture's content) and the width and format; the encoded bytes are kept on disk.
 */
export function createImages(options: ImageOptions): Images {
  const sign = (src: string) =>
    createHmac('sha256', options.key).update(src).digest('base64url').slice(0, 16);
  const urlFor = (src: string, width: number, format: Format) =>
    `/img/${width}/${sign(src)}/${Buffer.from(src).toString('base64url')}.${format}`;
  const memory = new Map<string, Promise<Buffer>>();

  const encode = async (src: string, width: number, format: Format): Promise<Buffer> => {
    const name = `${createHash('sha256').update(`${src}\0${width}\0${format}`).digest('hex')}.${format}`;
    if (options.cacheDir) {
      const cached = await readFile(join(options.cacheDir, name)).catch(() => null);
      if (cached) return cached;
    }
    const source = await options.api.request({ method: 'GET', path: src, headers: { accept: 'image/*' } });
    if (source.status !== 200) throw new ImageSourceError(src, source.status);
    const pipeline = sharp(source.bytes, { density: 144, limitInputPixels: 40_000_000 }).resize({
      width,
      withoutEnlargement: false,
    });
    const out = await (format === 'avif'
      ? pipeline.avif({ quality: 50, effort: 2 })
      : pipeline.webp({ quality: 75 })
    ).toBuffer();
    if (options.cacheDir) {
      await mkdir(options.cacheDir, { recursive: true });
      const tmp = join(options.cacheDir, `${name}.${process.pid}.tmp`);
      await writeFile(tmp, out);
      await rename(tmp, join(options.cacheDir, name));
    }
    return out;
  };

  return {
    picture(image, sizes, eager = false) {
      if (!image.url.startsWith('/')) {
        return html`<img src="${image.url}" alt="${image.alt}" width="${image.width}" height="${image.height}" loading="${eager ? 'eager' : 'lazy'}">`;
      }
      const srcset = (format: Format) =>
        IMAGE_WIDTHS.map((w) => `${urlFor(image.url, w, format)} ${w}w`).join(', ');
      return html`<picture><source type="image/avif" srcset="${srcset('avif')}" sizes="${sizes}"><source type="image/webp" srcset="${srcset('webp')}" sizes="${sizes}"><img src="${urlFor(image.url, 640, 'webp')}" alt="${image.alt}" width="${image.width}" height="${image.height}" loading="${eager ? 'eager' : 'lazy'}" decoding="async"${eager ? html` fetchpriority="high"` : ''}></picture>`;
    },

    register(app) {
      app.get<{ Params: { width: string; sig: string; file: string } }>(
        '/img/:width/:sig/:file',
        { schema: { hide: true } },
        async (request, reply) => {
          const { width, sig, file } = request.params;
          const match = /^([A-Za-z0-9_-]{1,2000})\.(avif|webp)$/.exec(file);
          const w = Number(width);
          const src = match ? Buffer.from(match[1] ?? '', 'base64url').toString('utf8') : '';
          const expected = Buffer.from(sign(src));
          const given = Buffer.from(sig);
          if (
            !match ||
            !(IMAGE_WIDTHS as readonly number[]).includes(w) ||
            !src.startsWith('/') ||
            src.startsWith('//') ||
            expected.length !== given.length ||
            !timingSafeEqual(expected, given)
          ) {
            return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
          }
          const format = match[2] as Format;
          const key = `${w}/${format}/${src}`;
          let job = memory.get(key);
          if (!job) {
            job = encode(src, w, format);
            memory.set(key, job);
            // Keep the bytes in memory only while a small number are hot; the disk keeps the rest.
            job.then(
              () => {
                if (memory.size > 200) memory.delete(memory.keys().next().value ?? '');
              },
              () => memory.delete(key),
            );
          }
          try {
            const bytes = await job;
            return reply
              .header('cache-control', 'public, max-age=31536000, immutable')
              .type(FORMATS[format])
              .send(bytes);
          } catch (err) {
            if (err instanceof ImageSourceError)
              return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
            throw err;
          }
        },
      );
    },
  };
}

class ImageSourceError extends Error {
  constructor(src: string, status: number) {
    super(`image source ${src} answered ${status}`);
  }
}
