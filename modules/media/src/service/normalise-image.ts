import { createHash } from 'node:crypto';
import { AppError } from '@emporium/platform';
import sharp from 'sharp';

/** The content types an upload may be sent as. */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif'] as const;

/** What sharp reports for the accepted types (AVIF decodes as `heif`). */
const DECODED_FORMATS = new Set(['jpeg', 'png', 'webp', 'heif', 'gif']);

/** The longest side of a stored image: larger uploads are scaled down to it. */
export const MAX_SIDE = 2400;

export interface NormalisedImage {
  sha256: string;
  contentType: 'image/webp';
  data: Buffer;
  width: number;
  height: number;
}

const plural = (n: number) => n.toLocaleString('en-US');

/**
 * Decodes `bytes` with sharp and re-encodes them as the one stored form: auto-rotated by its EXIF
 * orientation, every metadata block dropped (EXIF, XMP, IPTC, ICC after conversion to sRGB), at
 * most `MAX_SIDE` px on the longest side, WebP (quality 85; an alpha channel is kept, losslessly).
 * Animated GIF/WebP keep their first frame. Anything sharp cannot decode, or whose format is not
 * one of the accepted ones (SVG, TIFF, PDF…), is `not_an_image`; more than `maxPixels` pixels is
 * `image_too_large`, refused before the pixels are decoded.
 */
export async function normaliseImage(bytes: Buffer, maxPixels: number): Promise<NormalisedImage> {
  const notAnImage = (cause?: unknown) =>
    new AppError(
      'not_an_image',
      422,
      'The file could not be read as an image. Upload a JPEG, PNG, WebP, AVIF or GIF picture.',
      { cause },
    );
  if (bytes.length === 0) throw notAnImage();
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw notAnImage(err);
  }
  if (!meta.format || !DECODED_FORMATS.has(meta.format) || !meta.width || !meta.height) throw notAnImage();
  if (meta.format === 'heif' && meta.compression !== 'av1') throw notAnImage();
  const height = meta.pageHeight ?? meta.height;
  if (meta.width * height > maxPixels) {
    throw new AppError(
      'image_too_large',
      422,
      `The image is ${plural(meta.width)} × ${plural(height)} pixels; upload one of at most ${plural(maxPixels)} pixels (for example ${plural(MAX_SIDE)} × ${plural(MAX_SIDE)}).`,
    );
  }
  let out: { data: Buffer; info: { width: number; height: number } };
  try {
    out = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 85, alphaQuality: 100, effort: 4 })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw notAnImage(err);
  }
  return {
    sha256: createHash('sha256').update(out.data).digest('hex'),
    contentType: 'image/webp',
    data: out.data,
    width: out.info.width,
    height: out.info.height,
  };
}
