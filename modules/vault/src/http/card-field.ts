import { randomBytes } from 'node:crypto';
import { AppError, type HttpApp } from '@emporium/platform';
import { Type } from 'typebox';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The card field's Content-Security-Policy: nothing but its own nonce'd script and style, posting
 * only to its own origin, framed only by itself and the allowed shop origins.
 */
export function cardFieldCsp(nonce: string, allowedOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "form-action 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    `frame-ancestors 'self' ${allowedOrigins.join(' ')}`.trimEnd(),
  ].join('; ');
}

const STYLE = `
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; padding: 8px; color: #1a1a1a; }
  form { display: grid; gap: 10px; grid-template-columns: 1fr 1fr; }
  .wide { grid-column: 1 / -1; }
  label { display: grid; gap: 4px; font-weight: 600; font-size: 14px; }
  input { font: inherit; padding: 8px; border: 1px solid #888; border-radius: 4px; }
  input:focus { outline: 2px solid #2458d6; outline-offset: 1px; }
  button { grid-column: 1 / -1; font: inherit; padding: 10px; }
  #card-error { grid-column: 1 / -1; color: #b00020; min-height: 1.4em; margin: 0; }
`;

// Runs in the vault's origin: posts the card to /vault/tokens (same origin) and hands the shop only
// the token, brand, last 4 and expiry, by postMessage to the one allowed origin it was opened for.
const SCRIPT = `
(() => {
  const target = document.body.dataset.origin;
  const form = document.getElementById('card-form');
  const error = document.getElementById('card-error');
  const button = form.querySelector('button');
  const post = (message) => window.parent.postMessage(message, target);
  const show = (text) => { error.textContent = text; };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    show('');
    const expiry = /^\\s*(\\d{1,2})\\s*\\/\\s*(\\d{2}|\\d{4})\\s*$/.exec(form.elements.expiry.value);
    if (!expiry) { show('Enter the expiry as MM/YY.'); return; }
    const body = {
      number: form.elements.number.value,
      exp_month: Number(expiry[1]),
      exp_year: Number(expiry[2]),
      cvc: form.elements.cvc.value.trim(),
    };
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
      const data = await response.json();
      if (!response.ok) {
        show(data.detail || 'The card could not be checked.');
        post({ type: 'emporium:card-error', code: data.code, message: data.detail });
        return;
      }
      form.reset();
      post({ type: 'emporium:card-token', token: data.token, brand: data.brand, last4: data.last4,
        exp_month: data.exp_month, exp_year: data.exp_year });
    } catch {
      show('The card could not be sent. Check your connection and try again.');
    } finally {
      button.disabled = false;
    }
  });
  window.addEventListener('message', (event) => {
    if (event.origin === target && event.data && event.data.type === 'emporium:card-submit') form.requestSubmit();
  });
  post({ type: 'emporium:card-ready' });
})();
`;

/** The hosted card form's HTML, for `origin` (the shop that frames it). */
export function cardFieldHtml(nonce: string, origin: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Card details</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body data-origin="${escapeHtml(origin)}">
<form id="card-form" action="/vault/tokens" method="post" novalidate>
  <label class="wide" for="card-number">Card number
    <input id="card-number" name="number" type="text" inputmode="numeric" autocomplete="cc-number" maxlength="23" required>
  </label>
  <label for="card-expiry">Expiry
    <input id="card-expiry" name="expiry" type="text" inputmode="numeric" autocomplete="cc-exp" placeholder="MM/YY" maxlength="7" required>
  </label>
  <label for="card-cvc">CVC
    <input id="card-cvc" name="cvc" type="text" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required>
  </label>
  <p id="card-error" role="alert" aria-live="polite"></p>
  <button type="submit">Use this card</button>
</form>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * `GET /vault/card-field?origin=…`: the card form the storefront frames. `origin` (default: the
 * first allowed origin) must be one of `VAULT_ALLOWED_ORIGINS` or the vault's own origin; the token
 * goes to it by postMessage and only those origins may frame the page (CSP `frame-ancestors`).
 */
export function registerCardField(app: HttpApp, allowedOrigins: readonly string[]): void {
  app.get(
    '/vault/card-field',
    {
      schema: {
        tags: ['vault'],
        summary: 'The hosted card form (HTML), framed by the storefront',
        querystring: Type.Object({ origin: Type.Optional(Type.String({ maxLength: 300 })) }),
      },
    },
    async (request, reply) => {
      // The vault's own origin (a storefront served by the same server) is always allowed.
      const own = `${request.protocol}://${request.host}`;
      const origin = request.query.origin ?? allowedOrigins[0] ?? own;
      if (origin !== own && !allowedOrigins.includes(origin)) {
        throw new AppError(
          'validation_failed',
          400,
          'The query string is invalid: /origin is not an allowed shop origin.',
          {
            extensions: {
              errors: [{ path: '/origin', message: 'is not an allowed shop origin (VAULT_ALLOWED_ORIGINS)' }],
            },
          },
        );
      }
      const nonce = randomBytes(18).toString('base64');
      reply
        .header('content-security-policy', cardFieldCsp(nonce, allowedOrigins))
        .header('cache-control', 'no-store')
        .header('cross-origin-resource-policy', 'cross-origin')
        .type('text/html; charset=utf-8');
      // frame-ancestors governs framing; X-Frame-Options DENY would forbid the shop too.
      reply.removeHeader('x-frame-options');
      return cardFieldHtml(nonce, origin);
    },
  );
}
