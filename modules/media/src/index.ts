import type { EmporiumModule, ModulePorts } from '@emporium/platform';
import { registerMediaRoutes } from './http/media-routes.ts';
import type { MediaContext, MediaTables } from './service/media-service.ts';

export { mediaErrorCodes } from './errors.ts';
export { mediaMigrations } from './media-migrations.ts';
export type { UploadedFile } from './service/media-service.ts';
export { ACCEPTED_TYPES, MAX_SIDE } from './service/normalise-image.ts';

/** Default largest upload body: 10 MB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
/** Default most pixels an upload may have: 40 megapixels (the storefront's own decode limit). */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export interface MediaOptions {
  /** Largest upload body in bytes (413 beyond). Default 10 MB. */
  maxBytes?: number;
  /** Most pixels (width × height) an upload may have (422 beyond). Default 40 000 000. */
  maxPixels?: number;
}

/**
 * The media module: `POST /admin/media` takes an image's bytes (`catalog:write`), checks it by
 * decoding it with sharp, normalises it (auto-rotated, metadata dropped, ≤ 2400 px, WebP) and
 * stores it content-addressed in `media.files`; `GET /media/{name}.webp` (the sha256 in base64url)
 * serves it, immutable.
 * Its migrations are `mediaMigrations`.
 */
export function createMediaModule(ports: ModulePorts, options: MediaOptions = {}): EmporiumModule {
  const ctx: MediaContext = {
    db: ports.db.as<MediaTables>(),
    clock: ports.clock,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  };
  return {
    name: 'media',
    async registerRoutes(app) {
      await registerMediaRoutes(app, ctx);
    },
  };
}
