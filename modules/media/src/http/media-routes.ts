import { AppError, type HttpApp, matchesEtag, notFound, requirePermission } from '@emporium/platform';
import { Type } from 'typebox';
import { type MediaContext, readFile, storeUpload } from '../service/media-service.ts';
import { ACCEPTED_TYPES } from '../service/normalise-image.ts';

/**
 * A file's name: the sha256 of its bytes in base64url (43 characters), not hex, so that the
 * storefront's signed `/img/…` URL, which carries `/media/<name>` base64url-encoded in one path
 * segment, stays within the router's 100-character segment limit (64 hex digits would make 102).
 */
const NAME = /^([A-Za-z0-9_-]{43})\.webp$/;

const tooLarge = (maxBytes: number) =>
  new AppError(
    'payload_too_large',
    413,
    `The image file is larger than ${Math.floor(maxBytes / (1024 * 1024))} MB; export it smaller (for example 2400 px on the longest side) and upload it again.`,
  );

/** The hex digest for a base64url name, or null when the name is not a canonical encoding of 32 bytes. */
function digestOf(name: string): string | null {
  const bytes = Buffer.from(name, 'base64url');
  return bytes.length === 32 && bytes.toString('base64url') === name ? bytes.toString('hex') : null;
}

const Uploaded = Type.Object({
  url: Type.String({
    description: '`/media/<sha256 in base64url>.webp`: use it as a product image `url`.',
  }),
  width: Type.Integer(),
  height: Type.Integer(),
  content_type: Type.String(),
  bytes: Type.Integer(),
});

/**
 * `POST /admin/media` (raw image bytes, `catalog:write`) and `GET /media/{name}` (public).
 * The upload route lives in a scope of its own whose only body parser takes any content type as
 * bytes, up to `maxBytes`; the handler then answers 415 for a type it does not accept.
 */
export async function registerMediaRoutes(app: HttpApp, ctx: MediaContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.maxBytes }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(
      '/admin/media',
      {
        // The permission first (an anonymous caller learns nothing), then a declared size over the
        // limit is refused before a byte is read, with the limit in the sentence.
        onRequest: [
          requirePermission('catalog:write'),
          async (request) => {
            const declared = Number(request.headers['content-length']);
            if (declared > ctx.maxBytes) throw tooLarge(ctx.maxBytes);
          },
        ],
        bodyLimit: ctx.maxBytes,
        schema: {
          tags: ['media (admin)'],
          summary: 'Upload an image (raw bytes); answers its stable /media/ URL',
          response: { 201: Uploaded },
        },
      },
      async (request, reply) => {
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        if (!(ACCEPTED_TYPES as readonly string[]).includes(type)) {
          throw new AppError(
            'unsupported_media_type',
            415,
            `Send the image's bytes as the body with Content-Type ${ACCEPTED_TYPES.join(', ')}${type ? ` (not ${type.slice(0, 80)})` : ''}.`,
          );
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const file = await storeUpload(ctx, body, request.principal?.subject ?? null);
        return reply.code(201).send(file);
      },
    );
  });

  app.get(
    '/media/:name',
    {
      schema: {
        tags: ['media'],
        summary: 'An uploaded image (immutable: its name is the hash of its bytes)',
        params: Type.Object({ name: Type.String({ maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      const match = NAME.exec(request.params.name);
      const digest = match?.[1] ? digestOf(match[1]) : null;
      const file = digest ? await readFile(ctx, digest) : null;
      if (!file) throw notFound('This image');
      const etag = `"${match?.[1]}"`;
      // nosniff and `default-src 'none'` come with every answer (the platform's API headers).
      reply.header('cache-control', 'public, max-age=31536000, immutable').header('etag', etag);
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type(file.contentType).send(file.data);
    },
  );
}
