import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this many bytes a page is sent as it is (the headers would cost more than they save). */
const MIN_BYTES = 1024;

/** `br`, `gzip` or null, from an `Accept-Encoding` header (a `q=0` refuses a coding). */
export function pickEncoding(header: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Set(
    (header ?? '')
      .toLowerCase()
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^\s*q=0(\.0*)?\s*$/.test(q))
      .map(([name]) => name?.trim()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

/**
 * An `onSend` hook (every app built by `createHttpApp` has it) that compresses HTML answers — the
 * storefront's and dashboard's pages, the sign-in pages, the vault's card field, /docs — (brotli at a quality that costs
 * about a millisecond for a page, else gzip), so a page's bytes over the wire are a fraction of
 * its size. Pages are rendered per request (or per edge fill), so this runs off the event loop.
 */
export async function compressHtml(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  if (typeof payload !== 'string' || Buffer.byteLength(payload) < MIN_BYTES) return payload;
  if (!/^text\/html/.test(String(reply.getHeader('content-type') ?? ''))) return payload;
  if (reply.getHeader('content-encoding')) return payload;
  const vary = String(reply.getHeader('vary') ?? '');
  if (!/accept-encoding/i.test(vary))
    reply.header('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  const encoding = pickEncoding(request.headers['accept-encoding']);
  if (!encoding) return payload;
  const body =
    encoding === 'br'
      ? await brotli(payload, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: 5,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          },
        })
      : await gzipAsync(payload, { level: 6 });
  reply.header('content-encoding', encoding).removeHeader('content-length');
  return body;
}
