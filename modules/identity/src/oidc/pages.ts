import { createHash } from 'node:crypto';

/** Minimal accessible HTML for the provider's own pages: labelled fields, one form per step. */
const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}label{display:block;margin-top:1rem}input{display:block;width:100%;padding:.5rem;font-size:1rem}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}';

/**
 * The Content-Security-Policy of these pages: nothing but their one inline stylesheet (allowed by
 * its hash), and no framing (no form-action: the sign-in posts redirect on to each client's own origin).
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`;

const layout = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Emporium</title>
<style>${STYLE}</style>
</head><body><main>${body}</main></body></html>`;

export function renderLoginPage(options: {
  action: string;
  csrf: string;
  heading: string;
  error?: string | undefined;
  email?: string | undefined;
}): string {
  return layout(
    options.heading,
    `<h1>${esc(options.heading)}</h1>
${options.error ? `<p class="error" role="alert" id="form-error">${esc(options.error)}</p>` : ''}
<form method="post" action="${esc(options.action)}"${options.error ? ' aria-describedby="form-error"' : ''}>
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${esc(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function renderMfaPage(options: { action: string; csrf: string; error?: string | undefined }): string {
  return layout(
    'Second factor',
    `<h1>Confirm it is you</h1>
${options.error ? `<p class="error" role="alert" id="form-error">${esc(options.error)}</p>` : ''}
<form method="post" action="${esc(options.action)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<label for="code">Authentication code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="code-help">
<p id="code-help">The 6-digit code from your authenticator app, or a recovery code.</p>
<button type="submit">Verify</button>
</form>`,
  );
}

export function renderErrorPage(error: string, description?: string): string {
  return layout('Sign-in problem', `<h1>Sign-in problem</h1><p>${esc(description ?? error)}</p>`);
}
