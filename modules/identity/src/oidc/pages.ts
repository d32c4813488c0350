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
 * "Use a passkey" on the second-factor page: reads the request options from the page's JSON data
 * block, asks the browser (navigator.credentials.get), and posts the answer as JSON in the form.
 * Static text, so the CSP allows it by its hash. Without JavaScript the section stays hidden and
 * the code form works alone.
 */
const PASSKEY_SCRIPT = `(function(){
var s=document.getElementById('passkey-section'),o=document.getElementById('passkey-options'),f=document.getElementById('passkey-form'),b=document.getElementById('passkey-button'),t=document.getElementById('passkey-status');
if(!s||!o||!f||!b||!window.PublicKeyCredential||!navigator.credentials)return;
s.hidden=false;
function buf(v){v=v.replace(/-/g,'+').replace(/_/g,'/');while(v.length%4)v+='=';var r=atob(v),a=new Uint8Array(r.length);for(var i=0;i<r.length;i++)a[i]=r.charCodeAt(i);return a.buffer}
function str(x){var u=new Uint8Array(x),r='';for(var i=0;i<u.length;i++)r+=String.fromCharCode(u[i]);return btoa(r).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'')}
b.addEventListener('click',function(){
var p=JSON.parse(o.textContent);p.challenge=buf(p.challenge);(p.allowCredentials||[]).forEach(function(c){c.id=buf(c.id)});
b.disabled=true;t.textContent='Waiting for your passkey…';
navigator.credentials.get({publicKey:p}).then(function(c){var r=c.response;
f.elements.credential.value=JSON.stringify({id:c.id,rawId:str(c.rawId),type:c.type,authenticatorAttachment:c.authenticatorAttachment||undefined,clientExtensionResults:c.getClientExtensionResults(),response:{clientDataJSON:str(r.clientDataJSON),authenticatorData:str(r.authenticatorData),signature:str(r.signature),userHandle:r.userHandle?str(r.userHandle):undefined}});
f.submit()}).catch(function(){b.disabled=false;t.textContent='The passkey was not used. Try again, or enter a code below.'})});
})();`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The Content-Security-Policy of these pages: nothing but their one inline stylesheet and their one
 * inline script (each allowed by its hash), and no framing (no form-action: the sign-in posts
 * redirect on to each client's own origin).
 */
export const PAGE_CSP = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(PASSKEY_SCRIPT)}; frame-ancestors 'none'; base-uri 'none'`;

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

export function renderMfaPage(options: {
  action: string;
  csrf: string;
  error?: string | undefined;
  /** With the user's passkeys: the request options for "Use a passkey", and where its form posts. */
  passkey?: { action: string; options: unknown } | undefined;
}): string {
  // A JSON data block is not executed (CSP does not apply); `<` is escaped so it cannot end the element.
  const passkey = options.passkey
    ? `<section id="passkey-section" hidden aria-labelledby="passkey-heading">
<h2 id="passkey-heading">Passkey</h2>
<form id="passkey-form" method="post" action="${esc(options.passkey.action)}">
<input type="hidden" name="csrf" value="${esc(options.csrf)}">
<input type="hidden" name="credential" value="">
<button type="button" id="passkey-button">Use a passkey</button>
</form>
<p id="passkey-status" role="status"></p>
<h2>Or enter a code</h2>
</section>
<script type="application/json" id="passkey-options">${JSON.stringify(options.passkey.options).replace(/</g, '\\u003c')}</script>
<script>${PASSKEY_SCRIPT}</script>`
    : '';
  return layout(
    'Second factor',
    `<h1>Confirm it is you</h1>
${options.error ? `<p class="error" role="alert" id="form-error">${esc(options.error)}</p>` : ''}
${passkey}
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
