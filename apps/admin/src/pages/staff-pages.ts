import type { HttpApp } from '@emporium/platform';
import { type Html, html } from '@emporium/storefront';
import { Type } from 'typebox';
import { problemText, withQuery } from '../api/admin-api.ts';
import { formatDate } from '../html/format.ts';
import { csrfField } from '../html/layout.ts';
import { type Dashboard, field, redirectWith, type StaffRequest, sendPage, staffRequest } from './context.ts';

interface StaffUser {
  id: string;
  email: string;
  roles: string[];
  mfa: { totp: boolean; passkeys: number };
  locked_until: string | null;
  created_at: string;
}
interface Enrolment {
  user: StaffUser;
  totp_uri: string;
  recovery_codes: string[];
}

/** The roles staff can hold (packages/platform/src/auth/principal.ts). */
const ROLES = ['owner', 'admin', 'catalog_manager', 'order_manager', 'support'] as const;
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const ListQuery = Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 64 })) });

function rolesFrom(body: unknown): string[] {
  const v = (body as Record<string, unknown> | undefined)?.roles;
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return ROLES.filter((r) => list.includes(r));
}

/** Staff: invite (create with an initial password; the TOTP enrolment is shown once), roles, reset MFA. */
export function registerStaffPages(app: HttpApp, d: Dashboard): void {
  app.get('/admin/ui/staff', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'staff:manage');
    if (!who) return reply;
    const res = await who.call<{ data: StaffUser[]; next_cursor: string | null }>({
      method: 'GET',
      path: withQuery('/admin/users', { limit: 50, cursor: request.query.cursor }),
    });
    const users = res.status === 200 ? res.body.data : [];
    return sendPage(
      d,
      request,
      reply,
      who,
      'Staff',
      staffPage(
        who,
        users,
        res.status === 200 ? null : problemText(res, 'Staff could not be listed.'),
        res.status === 200 ? res.body.next_cursor : null,
      ),
    );
  });

  app.post('/admin/ui/staff', { schema: { hide: true } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'staff:manage');
    if (!who) return reply;
    const email = field(request.body, 'email', 320);
    const password =
      typeof (request.body as Record<string, unknown>)?.password === 'string'
        ? String((request.body as Record<string, unknown>).password).slice(0, 1024)
        : '';
    const roles = rolesFrom(request.body);
    if (!email || !password || roles.length === 0) {
      return redirectWith(d, request, reply, who, '/admin/ui/staff', {
        kind: 'error',
        text: 'Enter an email, an initial password and at least one role.',
      });
    }
    const res = await who.call<Enrolment>({
      method: 'POST',
      path: '/admin/users',
      body: { email, password, roles },
    });
    if (res.status !== 201) {
      return redirectWith(d, request, reply, who, '/admin/ui/staff', {
        kind: 'error',
        text: problemText(res, 'The staff user could not be created.'),
      });
    }
    return sendPage(d, request, reply, who, 'Staff user invited', enrolmentPage(res.body, 'invited'));
  });

  app.post(
    '/admin/ui/staff/:id/roles',
    { schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'staff:manage');
      if (!who) return reply;
      const roles = rolesFrom(request.body);
      if (roles.length === 0)
        return redirectWith(d, request, reply, who, '/admin/ui/staff', {
          kind: 'error',
          text: 'Choose at least one role.',
        });
      const res = await who.call<{ user: StaffUser }>({
        method: 'PATCH',
        path: `/admin/users/${request.params.id}`,
        body: { roles },
      });
      return redirectWith(
        d,
        request,
        reply,
        who,
        '/admin/ui/staff',
        res.status === 200
          ? { kind: 'notice', text: `Roles of ${res.body.user.email}: ${res.body.user.roles.join(', ')}.` }
          : { kind: 'error', text: problemText(res, 'The roles could not be changed.') },
      );
    },
  );

  app.post(
    '/admin/ui/staff/:id/reset-mfa',
    { schema: { hide: true, params: IdParams } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'staff:manage');
      if (!who) return reply;
      const res = await who.call<Enrolment>({
        method: 'POST',
        path: `/admin/users/${request.params.id}/reset-mfa`,
      });
      if (res.status !== 200) {
        return redirectWith(d, request, reply, who, '/admin/ui/staff', {
          kind: 'error',
          text: problemText(res, 'The second factor could not be reset.'),
        });
      }
      return sendPage(d, request, reply, who, 'Second factor reset', enrolmentPage(res.body, 'reset'));
    },
  );
}

function roleBoxes(idPrefix: string, checked: readonly string[]): Html {
  return html`${ROLES.map((r) => html`<label><input type="checkbox" name="roles" value="${r}" id="${idPrefix}-${r}"${checked.includes(r) ? html` checked` : ''}> ${r.replace('_', ' ')}</label>`)}`;
}

function staffPage(who: StaffRequest, users: StaffUser[], error: string | null, next: string | null): Html {
  const csrf = csrfField(who.session.csrf);
  return html`<h1>Staff</h1>
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
<table><caption class="visually-hidden">Staff users</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Second factor</th><th scope="col">Since</th><th scope="col">Roles</th><th scope="col">Reset</th></tr></thead>
<tbody>${users.map(
    (u) => html`<tr><td>${u.email}${u.locked_until ? html` <span class="badge">locked</span>` : ''}</td>
<td>${u.mfa.totp ? 'TOTP' : 'none'}${u.mfa.passkeys > 0 ? `, ${u.mfa.passkeys} passkey(s)` : ''}</td>
<td>${formatDate(u.created_at)}</td>
<td><form method="post" action="/admin/ui/staff/${u.id}/roles">${csrf}<fieldset><legend>Roles of ${u.email}</legend>${roleBoxes(`r-${u.id}`, u.roles)} <button type="submit" class="secondary">Save roles</button></fieldset></form></td>
<td><form method="post" action="/admin/ui/staff/${u.id}/reset-mfa">${csrf}<button type="submit" class="danger" aria-label="Reset MFA of ${u.email}">Reset MFA</button></form></td></tr>`,
  )}</tbody></table>
${next ? html`<nav aria-label="Pages"><a href="/admin/ui/staff?cursor=${encodeURIComponent(next)}">Next page</a></nav>` : ''}
<h2>Invite a staff member</h2>
<form method="post" action="/admin/ui/staff">${csrf}
<div class="field"><label for="s-email">Email</label><input id="s-email" name="email" type="email" required maxlength="320" autocomplete="off"></div>
<div class="field"><label for="s-password">Initial password (tell them in person; at least 12 characters)</label><input id="s-password" name="password" type="password" required minlength="12" maxlength="1024" autocomplete="new-password"></div>
<fieldset><legend>Roles</legend>${roleBoxes('new', ['support'])}</fieldset>
<button type="submit">Invite</button>
</form>`;
}

function enrolmentPage(e: Enrolment, what: 'invited' | 'reset'): Html {
  return html`<h1>${what === 'invited' ? `${e.user.email} can now sign in` : `New second factor for ${e.user.email}`}</h1>
<p>Give these to ${e.user.email} now: they are shown only once and not stored in readable form.</p>
<div class="field"><label for="totp-uri">Authenticator enrolment URI (add it to an authenticator app)</label><textarea id="totp-uri" readonly>${e.totp_uri}</textarea></div>
<h2>Recovery codes</h2>
<ul>${e.recovery_codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="/admin/ui/staff">Back to staff</a></p>`;
}
