import { createHash } from 'node:crypto';
import { migrate } from '@emporium/platform';
import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaModule, mediaMigrations } from '../src/index.ts';

const MAX_PIXELS = 4_000_000;
const MAX_BYTES = 2 * 1024 * 1024;

/** A PNG with an alpha channel: a red square centred on a transparent background. */
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([
      {
        input: {
          create: {
            width: Math.ceil(width / 2),
            height: Math.ceil(height / 2),
            channels: 4,
            background: '#c00',
          },
        },
      },
    ])
    .png()
    .toBuffer();

/** A JPEG taken "sideways" (EXIF orientation 6: rotate 90° clockwise to show) with camera metadata. */
const jpegWithExif = () =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: '#2a7' } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Secret 9000', Copyright: 'Ada' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();

// The real module over the real HTTP app and database (PGlite and PostgreSQL), with tokens
// signed by the test issuer: catalog_manager holds catalog:write, support does not.
describe.each(databaseKinds())('media on %s', (kind) => {
  let platform: TestPlatform;
  let auth: TestAuth;

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      authenticator: auth.authenticator,
      modules: [
        (ports) => createMediaModule(ports, { maxPixels: MAX_PIXELS, maxBytes: MAX_BYTES }),
        // The shape of apps/server's demo pictures route, which shares the /media/ prefix.
        () => ({
          name: 'demo-images',
          async registerRoutes(app) {
            app.get('/media/demo/:name', async (_request, reply) =>
              reply.type('image/svg+xml').send('<svg/>'),
            );
          },
        }),
      ],
    });
    await migrate(platform.ports.db, [mediaMigrations]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  const upload = async (body: Buffer | string, contentType: string, roles = ['catalog_manager']) =>
    platform.app.inject({
      method: 'POST',
      url: '/admin/media',
      headers: { ...(await auth.headers({ roles })), 'content-type': contentType },
      payload: body,
    });

  it('stores a PNG, answers its url and size, and serves the bytes immutable', async () => {
    const res = await upload(await png(640, 480), 'image/png');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ width: 640, height: 480, content_type: 'image/webp' });
    expect(body.url).toMatch(/^\/media\/[A-Za-z0-9_-]{43}\.webp$/);
    // The name is the sha256 of the served bytes (base64url).

    const got = await platform.app.inject({ method: 'GET', url: body.url });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/webp');
    expect(got.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.rawPayload.length).toBe(body.bytes);
    expect(`/media/${createHash('sha256').update(got.rawPayload).digest('base64url')}.webp`).toBe(body.url);
    const meta = await sharp(got.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 640, height: 480, hasAlpha: true });
    // The transparent corner stays transparent; the red square stays red.
    const { data, info } = await sharp(got.rawPayload).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect(data[3]).toBe(0);
    const redAt = (info.width * (info.height / 2) + info.width / 2) * info.channels;
    expect(data[redAt]).toBeGreaterThan(180);
    expect(data[redAt + 3]).toBe(255);

    const etag = got.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await platform.app.inject({
      method: 'GET',
      url: body.url,
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
  });

  it('answers the same url for the same image uploaded again, and keeps one row', async () => {
    const bytes = await png(200, 100);
    const first = (await upload(bytes, 'image/png')).json();
    const second = await upload(bytes, 'image/png', ['owner']);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first);
    const sha = Buffer.from(first.url.slice('/media/'.length, -'.webp'.length), 'base64url').toString('hex');
    const rows = await platform.ports.db.primary
      .selectFrom('media.files' as never)
      .select(['created_by' as never])
      .where('sha256' as never, '=', sha as never)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('turns a JPEG upright by its EXIF orientation and drops its metadata', async () => {
    const jpeg = await jpegWithExif();
    const input = await sharp(jpeg).metadata();
    expect(input.exif).toBeDefined();
    expect(input.orientation).toBe(6);
    const res = await upload(jpeg, 'image/jpeg');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ width: 200, height: 300 });
    const served = await platform.app.inject({ method: 'GET', url: res.json().url });
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 200, height: 300 });
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(served.rawPayload.includes(Buffer.from('TestCam'))).toBe(false);
  });

  it('scales a large image down to 2400 px on its longest side', async () => {
    const res = await upload(await png(3000, 1200), 'image/png');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ width: 2400, height: 960 });
  });

  it('refuses a text file, garbage and a disguised SVG with a problem a person can act on', async () => {
    const text = await upload('hello, this is not a picture', 'text/plain');
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(text.json()).toMatchObject({ code: 'unsupported_media_type' });
    expect(text.json().detail).toMatch(/Content-Type image\/jpeg/);

    const json = await upload('{"url":"x"}', 'application/json');
    expect(json.statusCode).toBe(415);

    const garbage = await upload(
      Buffer.from('\x89PNG\r\n\x1a\n this is not really a PNG at all'),
      'image/png',
    );
    expect(garbage.statusCode).toBe(422);
    expect(garbage.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(garbage.json()).toMatchObject({ code: 'not_an_image' });
    expect(garbage.json().detail).toMatch(/Upload a JPEG, PNG, WebP, AVIF or GIF/);

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect((await upload(svg, 'image/png')).json()).toMatchObject({ code: 'not_an_image' });

    const empty = await upload(Buffer.alloc(0), 'image/png');
    expect(empty.statusCode).toBe(422);

    const truncated = (await png(400, 400)).subarray(0, 200);
    expect((await upload(truncated, 'image/png')).statusCode).toBe(422);
  });

  it('refuses an image with more pixels than the limit, and a body over the size limit', async () => {
    const big = await upload(await png(2100, 2000), 'image/png');
    expect(big.statusCode).toBe(422);
    expect(big.json()).toMatchObject({ code: 'image_too_large' });
    expect(big.json().detail).toMatch(/2,100 × 2,000 pixels; upload one of at most 4,000,000 pixels/);

    const huge = await upload(Buffer.alloc(MAX_BYTES + 1, 1), 'image/jpeg');
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'payload_too_large' });
    expect(huge.json().detail).toMatch(/larger than 2 MB/);
  });

  it('needs a token (401) and catalog:write (403); reading is public', async () => {
    const bytes = await png(50, 50);
    const anonymous = await platform.app.inject({
      method: 'POST',
      url: '/admin/media',
      headers: { 'content-type': 'image/png' },
      payload: bytes,
    });
    expect(anonymous.statusCode).toBe(401);
    const support = await upload(bytes, 'image/png', ['support']);
    expect(support.statusCode).toBe(403);
    expect(support.json()).toMatchObject({ code: 'forbidden' });
  });

  it('leaves /media/demo/… to its own route', async () => {
    const demo = await platform.app.inject({ method: 'GET', url: '/media/demo/tide-clock-1.svg' });
    expect(demo.statusCode).toBe(200);
    expect(demo.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });

  it('answers 404 for unknown names', async () => {
    // Unknown hash, a known name with its last character changed, hex instead of base64url, junk.
    const known = (await upload(await png(60, 60), 'image/png')).json().url as string;
    const altered = known.replace(/(.)\.webp$/, (_m, c: string) => `${c === 'A' ? 'B' : 'A'}.webp`);
    for (const name of [
      `${'A'.repeat(43)}.webp`,
      altered.slice('/media/'.length),
      `${'0'.repeat(64)}.webp`,
      'nope.png',
      '..%2F..%2Fetc%2Fpasswd',
    ]) {
      const res = await platform.app.inject({ method: 'GET', url: `/media/${name}` });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const stored = (await upload(await png(60, 60), 'image/png')).json();
    const wrongExtension = stored.url.replace(/\.webp$/, '.png');
    expect((await platform.app.inject({ method: 'GET', url: wrongExtension })).statusCode).toBe(404);
  });
});
