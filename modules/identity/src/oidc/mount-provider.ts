import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { consumeRateLimit, type HttpApp, StrictObject } from '@emporium/platform';
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { Type } from 'typebox';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Customers } from '../customers/customers.ts';
import type { IdentityContext } from '../identity-context.ts';
import { LIMITS } from '../rate-limits.ts';
import type { StaffPasskeys } from '../staff/staff-passkeys.ts';
import type { StaffUsers } from '../staff/staff-users.ts';
import { CLIENT_KIND } from './create-provider.ts';
import { PAGE_CSP, renderErrorPage, renderLoginPage, renderMfaPage } from './pages.ts';

export const AUTH_PREFIX = '/auth';

const LoginBody = StrictObject({
  csrf: Type.String({ maxLength: 200 }),
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
const MfaBody = StrictObject({
  csrf: Type.String({ maxLength: 200 }),
  code: Type.String({ minLength: 1, maxLength: 64 }),
});
const PasskeyBody = StrictObject({
  csrf: Type.String({ maxLength: 200 }),
  credential: Type.String({ minLength: 2, maxLength: 12_000 }),
});
const UidParams = StrictObject({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' }) });

/**
 * Mounts the provider under /auth (its routes see their own paths; the raw request stream is left
 * unread for it) and the sign-in pages of its interactions: customers sign in with email and
 * password; staff with a password and then a TOTP or recovery code, or one of their passkeys.
 */
export async function mountProvider(
  app: HttpApp,
  provider: Provider,
  ctx: IdentityContext,
  accounts: { customers: Customers; staff: StaffUsers; passkeys: StaffPasskeys },
  audit: AuditLog,
): Promise<void> {
  const callback = provider.callback();

  await app.register(async (scope) => {
    // The provider reads bodies itself: leave the stream untouched.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'],
      url: `${AUTH_PREFIX}/*`,
      schema: { hide: true },
      handler: async (request, reply) => {
        if (request.method === 'POST' && request.url.split('?')[0] === `${AUTH_PREFIX}/token`) {
          await consumeRateLimit(request, reply, LIMITS.tokenPerIp, `ip:${request.ip}`);
        }
        reply.hijack();
        const raw = request.raw as IncomingMessage & { originalUrl?: string };
        raw.originalUrl = raw.url;
        raw.url = (raw.url ?? '/').slice(AUTH_PREFIX.length) || '/';
        await callback(raw, reply.raw);
      },
    });
  });

  await app.register(async (plugin) => {
    const scope = plugin as unknown as HttpApp;
    await scope.register(formbody, { bodyLimit: 16_384 });
    const csrfFor = (uid: string) => ctx.crypto().mac('csrf', uid);

    const html = (reply: FastifyReply, status: number, body: string) =>
      reply
        .code(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', PAGE_CSP)
        .send(body);

    const details = async (
      request: FastifyRequest,
      reply: FastifyReply,
    ): Promise<InteractionDetails | null> => {
      try {
        return await provider.interactionDetails(request.raw, reply.raw);
      } catch {
        html(
          reply,
          400,
          renderErrorPage(
            'session_not_found',
            'This sign-in page has expired. Go back to the shop and sign in again.',
          ),
        );
        return null;
      }
    };
    const clientKind = async (d: InteractionDetails): Promise<string> => {
      const client = await provider.Client.find(String(d.params.client_id ?? ''));
      return String(client?.[CLIENT_KIND] ?? 'customer');
    };
    const kindOfAccount = (accountId: string | undefined) =>
      accountId?.startsWith('usr_') ? 'staff' : accountId?.startsWith('cus_') ? 'customer' : undefined;
    const loginPage = (uid: string, kind: string, error?: string, email?: string) =>
      renderLoginPage({
        action: `${AUTH_PREFIX}/interaction/${uid}/login`,
        csrf: csrfFor(uid),
        heading: kind === 'staff' ? 'Staff sign in' : 'Sign in',
        error,
        email,
      });

    /** The second-factor page; with the user's passkeys, a fresh challenge for "Use a passkey". */
    const mfaPage = async (uid: string, userId: string, error?: string) =>
      renderMfaPage({
        action: `${AUTH_PREFIX}/interaction/${uid}/mfa`,
        csrf: csrfFor(uid),
        error,
        passkey: await accounts.passkeys
          .authenticationOptions(userId, uid)
          .then((options) =>
            options ? { action: `${AUTH_PREFIX}/interaction/${uid}/passkey`, options } : undefined,
          ),
      });

    const pendingUser = async (uid: string): Promise<string | null> => {
      const pending = (
        await sql<{ payload: { userId: string } | string }>`select payload from identity.oidc_payloads
          where model = 'EmporiumMfaPending' and id = ${uid} and expires_at > ${ctx.clock.now()}`.execute(
          ctx.db.primary,
        )
      ).rows[0];
      const payload = typeof pending?.payload === 'string' ? JSON.parse(pending.payload) : pending?.payload;
      return typeof payload?.userId === 'string' ? payload.userId : null;
    };

    /** Same-origin posts only (plus the CSRF field bound to this interaction and its cookie). */
    const checkForm = (request: FastifyRequest, uid: string, csrf: string): boolean => {
      const origin = request.headers.origin;
      if (origin && origin !== 'null') {
        try {
          if (new URL(origin).host !== request.headers.host) return false;
        } catch {
          return false;
        }
      }
      const expected = Buffer.from(csrfFor(uid));
      const given = Buffer.from(csrf);
      return expected.length === given.length && timingSafeEqual(expected, given);
    };

    /**
     * Ends an interaction step. Consent merges with the sign-in just submitted: with `prompt=login`
     * the provider checks that this authorization's own login is among the results.
     */
    const finish = async (
      request: FastifyRequest,
      reply: FastifyReply,
      result: Record<string, unknown>,
      mergeWithLastSubmission = false,
    ) => {
      reply.hijack();
      // The sign-in's time (the tokens' auth_time) comes from the module's clock, like every time it
      // writes; /admin/me compares it with the same clock.
      const login = result.login as Record<string, unknown> | undefined;
      const stamped = login
        ? { ...result, login: { ...login, ts: Math.floor(ctx.clock.now().getTime() / 1000) } }
        : result;
      await provider.interactionFinished(request.raw, reply.raw, stamped, { mergeWithLastSubmission });
    };

    scope.get(
      `${AUTH_PREFIX}/interaction/:uid`,
      { schema: { hide: true, params: UidParams } },
      async (request, reply) => {
        const d = await details(request, reply);
        if (!d) return reply;
        const kind = await clientKind(d);
        const sessionKind = kindOfAccount(d.session?.accountId);
        if (d.prompt.name === 'consent' && sessionKind === kind && d.session?.accountId) {
          // First-party clients: consent is implied; grant what was asked.
          const grant = new provider.Grant({
            accountId: d.session.accountId,
            clientId: String(d.params.client_id),
          });
          const det = d.prompt.details as {
            missingOIDCScope?: string[];
            missingOIDCClaims?: string[];
            missingResourceScopes?: Record<string, string[]>;
          };
          if (det.missingOIDCScope) grant.addOIDCScope(det.missingOIDCScope.join(' '));
          if (det.missingOIDCClaims) grant.addOIDCClaims(det.missingOIDCClaims);
          for (const [resource, scopes] of Object.entries(det.missingResourceScopes ?? {})) {
            grant.addResourceScope(resource, scopes.join(' '));
          }
          const grantId = await grant.save();
          await finish(request, reply, { consent: { grantId } }, true);
          return reply;
        }
        return html(reply, 200, loginPage(d.uid, kind));
      },
    );

    scope.post(
      `${AUTH_PREFIX}/interaction/:uid/login`,
      { schema: { hide: true, params: UidParams, body: LoginBody } },
      async (request, reply) => {
        const d = await details(request, reply);
        if (!d) return reply;
        const { uid } = request.params;
        if (d.uid !== uid || !checkForm(request, uid, request.body.csrf)) {
          return html(
            reply,
            403,
            renderErrorPage('csrf', 'This form could not be verified. Reload the page and try again.'),
          );
        }
        const kind = await clientKind(d);
        const email = request.body.email;
        await consumeRateLimit(request, reply, LIMITS.loginPerIp, `ip:${request.ip}`);
        await consumeRateLimit(
          request,
          reply,
          LIMITS.loginPerAccount,
          `account:${ctx.crypto().emailHash(email)}`,
        );
        if (kind === 'staff') {
          const r = await accounts.staff.passwordLogin(email, request.body.password);
          if (r.outcome === 'locked') {
            return html(
              reply,
              423,
              loginPage(uid, kind, 'Too many failed attempts: this account is locked for 30 minutes.', email),
            );
          }
          if (r.outcome === 'invalid')
            return html(reply, 401, loginPage(uid, kind, 'Email or password is incorrect.', email));
          await sql`insert into identity.oidc_payloads (model, id, payload, expires_at)
            values ('EmporiumMfaPending', ${uid}, ${JSON.stringify({ userId: r.userId })}::jsonb,
              ${new Date(ctx.clock.now().getTime() + 10 * 60_000)})
            on conflict (model, id) do update set payload = excluded.payload, expires_at = excluded.expires_at`.execute(
            ctx.db.primary,
          );
          return html(reply, 200, await mfaPage(uid, r.userId));
        }
        const customerId = await accounts.customers.authenticate(email, request.body.password);
        if (!customerId)
          return html(reply, 401, loginPage(uid, kind, 'Email or password is incorrect.', email));
        await finish(request, reply, { login: { accountId: customerId, amr: ['pwd'] } });
        return reply;
      },
    );

    /**
     * The common start of a second-factor answer (code or passkey): the interaction, its form token,
     * the user who passed the password step, and the per-account rate limit. Null when it already
     * answered (an error page).
     */
    const secondFactorAttempt = async (
      request: FastifyRequest,
      reply: FastifyReply,
      uid: string,
      csrf: string,
    ): Promise<{ uid: string; userId: string } | null> => {
      const d = await details(request, reply);
      if (!d) return null;
      if (d.uid !== uid || !checkForm(request, uid, csrf)) {
        // Sent here; the handler returns the reply.
        void html(
          reply,
          403,
          renderErrorPage('csrf', 'This form could not be verified. Reload the page and try again.'),
        );
        return null;
      }
      const userId = await pendingUser(uid);
      if (!userId) {
        void html(reply, 401, loginPage(uid, 'staff', 'Sign in with your password first.'));
        return null;
      }
      await consumeRateLimit(request, reply, LIMITS.loginPerAccount, `mfa:${userId}`);
      return { uid, userId };
    };
    const lockedPage = (reply: FastifyReply, uid: string) =>
      html(
        reply,
        423,
        loginPage(uid, 'staff', 'Too many failed attempts: this account is locked for 30 minutes.'),
      );
    const clearPending = async (uid: string) => {
      await sql`delete from identity.oidc_payloads where model = 'EmporiumMfaPending' and id = ${uid}`.execute(
        ctx.db.primary,
      );
    };

    scope.post(
      `${AUTH_PREFIX}/interaction/:uid/mfa`,
      { schema: { hide: true, params: UidParams, body: MfaBody } },
      async (request, reply) => {
        const attempt = await secondFactorAttempt(request, reply, request.params.uid, request.body.csrf);
        if (!attempt) return reply;
        const { uid, userId } = attempt;
        const outcome = await accounts.staff.verifySecondFactor(userId, request.body.code);
        if (outcome === 'locked') return lockedPage(reply, uid);
        if (outcome === 'invalid') {
          return html(reply, 401, await mfaPage(uid, userId, 'That code is not valid or was already used.'));
        }
        await clearPending(uid);
        await finish(request, reply, { login: { accountId: userId, amr: ['pwd', 'otp', 'mfa'] } });
        return reply;
      },
    );

    // The second factor by passkey: the answer of navigator.credentials.get, as JSON in a form field.
    scope.post(
      `${AUTH_PREFIX}/interaction/:uid/passkey`,
      { schema: { hide: true, params: UidParams, body: PasskeyBody } },
      async (request, reply) => {
        const attempt = await secondFactorAttempt(request, reply, request.params.uid, request.body.csrf);
        if (!attempt) return reply;
        const { uid, userId } = attempt;
        let answer: unknown = null;
        try {
          answer = JSON.parse(request.body.credential);
        } catch {
          // Not JSON: refused below like any other wrong answer.
        }
        const result = await accounts.passkeys.authenticate(userId, uid, answer);
        await audit.append({
          actor: userId,
          actorType: 'staff',
          action: 'POST /auth/interaction/:uid/passkey',
          target: result.credentialId,
          outcome: result.outcome === 'ok' ? 'success' : result.outcome === 'locked' ? 'denied' : 'failure',
          status: result.outcome === 'ok' ? 303 : result.outcome === 'locked' ? 423 : 401,
          sourceIp: request.ip ?? null,
          requestId: request.id ?? null,
        });
        if (result.outcome === 'locked') return lockedPage(reply, uid);
        if (result.outcome === 'invalid') {
          request.log.info({ reason: result.reason }, 'identity: passkey sign-in refused');
          return html(
            reply,
            401,
            await mfaPage(uid, userId, 'That passkey could not be verified. Try again, or enter a code.'),
          );
        }
        await clearPending(uid);
        // RFC 8176: `hwk` proof of possession of a key held by an authenticator; `mfa` with the password.
        await finish(request, reply, { login: { accountId: userId, amr: ['pwd', 'hwk', 'mfa'] } });
        return reply;
      },
    );
  });
}
