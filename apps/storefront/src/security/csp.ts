import { randomBytes } from 'node:crypto';

export interface CspOptions {
  /** Origin allowed to be framed (the vault's card field); undefined: this origin. */
  vaultOrigin: string | undefined;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The storefront's Content-Security-Policy: scripts only with this response's nonce (no
 * `unsafe-inline`, no `unsafe-eval`), styles, images and fetches from this origin, frames only
 * from the vault, nobody may frame the storefront, forms post only here.
 */
export function contentSecurityPolicy(nonce: string, options: CspOptions): string {
  const frame = options.vaultOrigin ?? "'self'";
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src ${frame}`,
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "manifest-src 'self'",
  ].join('; ');
}
