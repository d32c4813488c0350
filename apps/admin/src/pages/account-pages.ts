import type { HttpApp } from '@emporium/platform';
import { type Html, html, raw } from '@emporium/storefront';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { isProblem, problemText } from '../api/admin-api.ts';
import { formatDate } from '../html/format.ts';
import { csrfField } from '../html/layout.ts';
import { type Dashboard, field, redirectWith, type StaffRequest, sendPage, staffRequest } from './context.ts';

interface Passkey {
  id: string;
  name: string;
  transports: string[];
  backed_up: boolean;
  created_at: string;
  last_used_at: string | null;
}

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$' }) });
const AccountQuery = Type.Object({ confirmed: Type.Optional(Type.String({ maxLength: 1 })) });
const ACCOUNT = '/admin/ui/account';

/**
 * "Your account": the signed-in staff member's passkeys, added and removed through the API's
 * `/admin/me/passkeys`, and their sign-in email (`PATCH /admin/me`). These changes need a sign-in
 * within the last 5 minutes; when the API
 * says `reauthentication_required`, the staff member signs in again (password and second factor)
 * and comes back here.
 */
export function registerAccountPages(app: HttpApp, d: Dashboard): void {
  /** Through the provider again, then back to this page (which then says so). */
  const reauthenticate = (reply: FastifyReply) =>
    reply.redirect(`/admin/ui/sign-in/start?return_to=${encodeURIComponent(`${ACCOUNT}?confirmed=1`)}`, 303);
  const needsReauth = (res: { status: number; body: unknown }) =>
    res.status === 403 && isProblem(res.body) && res.body.code === 'reauthentication_required';

  app.get(ACCOUNT, { schema: { hide: true, querystring: AccountQuery } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply);
    if (!who) return reply;
    const res = await who.call<{ data: Passkey[] }>({ method: 'GET', path: '/admin/me/passkeys' });
    return sendPage(
      d,
      request,
      reply,
      who,
      'Your account',
      accountPage(
        who,
        res.status === 200 ? res.body.data : [],
        res.status === 200 ? null : problemText(res, 'Your passkeys could not be listed.'),
        request.query.confirmed === '1',
      ),
    );
  });

  // Step 1: the API makes the registration options (and says whether a new sign-in is needed first).
  app.post(`${ACCOUNT}/passkeys/new`, { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply);
    if (!who) return reply;
    const name = field(request.body, 'name', 60) || 'Passkey';
    const res = await who.call<{ options: unknown }>({
      method: 'POST',
      path: '/admin/me/passkeys/registration-options',
    });
    if (needsReauth(res)) return reauthenticate(reply);
    if (res.status !== 200) {
      return redirectWith(d, request, reply, who, ACCOUNT, {
        kind: 'error',
        text: problemText(res, 'A passkey cannot be added right now.'),
      });
    }
    return sendPage(d, request, reply, who, 'Create your passkey', createPage(who, name, res.body.options), {
      script: d.assets.passkeys.url,
    });
  });

  // Step 2: the browser's answer (navigator.credentials.create), posted by the page's script.
  app.post(`${ACCOUNT}/passkeys`, { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply);
    if (!who) return reply;
    const name = field(request.body, 'name', 60) || 'Passkey';
    let credential: unknown;
    try {
      credential = JSON.parse(field(request.body, 'credential', 60_000));
    } catch {
      credential = null;
    }
    if (!credential || typeof credential !== 'object') {
      return redirectWith(d, request, reply, who, ACCOUNT, {
        kind: 'error',
        text: 'No passkey was received from the browser. Try adding it again.',
      });
    }
    const res = await who.call<{ passkey: Passkey }>({
      method: 'POST',
      path: '/admin/me/passkeys',
      body: { name, credential },
    });
    if (needsReauth(res)) return reauthenticate(reply);
    return redirectWith(
      d,
      request,
      reply,
      who,
      ACCOUNT,
      res.status === 201
        ? { kind: 'notice', text: `Passkey “${res.body.passkey.name}” added. You can use it to sign in.` }
        : { kind: 'error', text: problemText(res, 'The passkey could not be added.') },
    );
  });

  app.post(`${ACCOUNT}/email`, { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply);
    if (!who) return reply;
    const email = field(request.body, 'email', 320);
    if (!email) {
      return redirectWith(d, request, reply, who, ACCOUNT, { kind: 'error', text: 'Enter the new email.' });
    }
    const res = await who.call<{ user: { email: string } }>({
      method: 'PATCH',
      path: '/admin/me',
      body: { email },
    });
    if (needsReauth(res)) return reauthenticate(reply);
    if (res.status === 200) who.staff.email = res.body.user.email;
    return redirectWith(
      d,
      request,
      reply,
      who,
      ACCOUNT,
      res.status === 200
        ? { kind: 'notice', text: `You now sign in with ${res.body.user.email}.` }
        : { kind: 'error', text: problemText(res, 'The email could not be changed.') },
    );
  });

  app.post(
    `${ACCOUNT}/passkeys/:id/remove`,
    { schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply);
      if (!who) return reply;
      const res = await who.call({
        method: 'DELETE',
        path: `/admin/me/passkeys/${encodeURIComponent(request.params.id)}`,
      });
      if (needsReauth(res)) return reauthenticate(reply);
      return redirectWith(
        d,
        request,
        reply,
        who,
        ACCOUNT,
        res.status === 204
          ? { kind: 'notice', text: 'Passkey removed.' }
          : { kind: 'error', text: problemText(res, 'The passkey could not be removed.') },
      );
    },
  );
}

function accountPage(who: StaffRequest, passkeys: Passkey[], error: string | null, confirmed: boolean): Html {
  const csrf = csrfField(who.session.csrf);
  return html`<h1>Your account</h1>
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
${confirmed ? html`<p class="flash notice" role="status">You signed in again: for the next 5 minutes you can add or remove passkeys and change your email.</p>` : ''}
<p>Signed in as ${who.staff.email}. Roles: ${who.staff.roles.join(', ')}.</p>
<h2>Passkeys</h2>
<p>A passkey can replace the authenticator code when you sign in, after your password. Adding or removing one asks you to sign in again if your last sign-in was more than 5 minutes ago.</p>
${
  passkeys.length === 0
    ? html`<p>You have no passkeys yet.</p>`
    : html`<table><caption class="visually-hidden">Your passkeys</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col">Remove</th></tr></thead>
<tbody>${passkeys.map(
        (
          p,
        ) => html`<tr><td>${p.name}</td><td>${formatDate(p.created_at)}</td><td>${p.last_used_at ? formatDate(p.last_used_at) : 'never'}</td>
<td><form method="post" action="${ACCOUNT}/passkeys/${p.id}/remove">${csrf}<button type="submit" class="danger" aria-label="Remove passkey ${p.name}">Remove</button></form></td></tr>`,
      )}</tbody></table>`
}
<h2>Add a passkey</h2>
<form method="post" action="${ACCOUNT}/passkeys/new">${csrf}
<div class="field"><label for="passkey-name">Name of the passkey (to recognise it later)</label><input id="passkey-name" name="name" maxlength="60" value="Passkey" required></div>
<button type="submit">Add a passkey</button>
</form>
<h2>Sign-in email</h2>
<form method="post" action="${ACCOUNT}/email">${csrf}
<div class="field"><label for="new-email">New email (you sign in with it from now on)</label><input id="new-email" name="email" type="email" maxlength="320" autocomplete="email" required></div>
<button type="submit" class="secondary">Change email</button>
</form>`;
}

function createPage(who: StaffRequest, name: string, options: unknown): Html {
  // A JSON data block is never executed (CSP does not apply); `<` is escaped so it cannot end it.
  const json = raw(JSON.stringify(options).replace(/</g, '\\u003c'));
  return html`<h1>Create your passkey</h1>
<p>Your browser will ask you to create a passkey named “${name}” for this site, with your device’s screen lock or a security key.</p>
<script type="application/json" id="passkey-options">${json}</script>
<form id="passkey-create-form" method="post" action="${ACCOUNT}/passkeys">${csrfField(who.session.csrf)}
<input type="hidden" name="name" value="${name}">
<input type="hidden" name="credential" value="">
<button type="button" id="passkey-create" hidden>Create the passkey</button>
</form>
<p id="passkey-status" role="status"></p>
<noscript><p>Creating a passkey needs JavaScript in this browser.</p></noscript>
<p><a href="${ACCOUNT}">Back to your account</a></p>`;
}
