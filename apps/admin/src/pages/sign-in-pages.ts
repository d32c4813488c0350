import { createHash, randomBytes } from 'node:crypto';
import type { HttpApp } from '@emporium/platform';
import { html } from '@emporium/storefront';
import { Type } from 'typebox';
import { type Dashboard, sendPage, signInFromTokens, type TokenResponse } from './context.ts';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
}

const ReturnQuery = Type.Object({
  return_to: Type.Optional(Type.String({ maxLength: 2000 })),
  ended: Type.Optional(Type.String({ maxLength: 1 })),
});
const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4000 })),
  state: Type.Optional(Type.String({ maxLength: 200 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 2000 })),
  iss: Type.Optional(Type.String({ maxLength: 2000 })),
});

/** Only a path of this dashboard: never an open redirect. */
function safeReturn(to: string | undefined): string {
  return to && /^\/admin(\/ui(\/[^\s\\]*)?)?(\?[^\s\\]*)?$/.test(to) && !to.startsWith('//') ? to : '/admin';
}

/**
 * Signing in through the identity provider: the dashboard is an OAuth 2.0 client (authorization
 * code + PKCE, S256). The provider asks for the password and then the second factor (TOTP, a
 * passkey or a recovery code), every time (`prompt=login`); the dashboard keeps the tokens in the server-side session, never in the browser.
 */
export function registerSignInPages(app: HttpApp, d: Dashboard): void {
  const redirectUri = () => `${d.publicUrl()}/admin/ui/callback`;
  const discover = async (): Promise<Discovery | null> => {
    // The provider builds its endpoint URLs from the request's Host: name the origin staff use
    // (an in-process call would otherwise say `localhost`).
    const res = await d.api.request<Discovery>({
      method: 'GET',
      path: '/auth/.well-known/openid-configuration',
      headers: { host: new URL(d.publicUrl()).host },
    });
    return res.status === 200 && res.body?.authorization_endpoint ? res.body : null;
  };
  const signInPage = (message?: string) =>
    html`<h1>Sign in to the dashboard</h1>
${message ? html`<p class="flash error" role="alert">${message}</p>` : ''}
<p>Staff sign in with their email, password and a second factor (an authenticator app code, a passkey or a recovery code).</p>`;

  app.get(
    '/admin/ui/sign-in',
    { schema: { hide: true, querystring: ReturnQuery } },
    async (request, reply) => {
      const session = await d.sessions.read(request);
      const returnTo = safeReturn(request.query.return_to);
      if (session?.staff) return reply.redirect(returnTo, 303);
      const message = request.query.ended ? 'Your session has ended. Please sign in again.' : undefined;
      return sendPage(
        d,
        request,
        reply,
        null,
        'Sign in',
        html`${signInPage(message)}<p><a class="button" href="/admin/ui/sign-in/start?return_to=${encodeURIComponent(returnTo)}">Sign in with your staff account</a></p>`,
      );
    },
  );

  // A link, not a form: the redirect may go to the provider's own origin, which `form-action 'self'`
  // would refuse after a form post. Starting a sign-in changes nothing until the callback checks state.
  app.get(
    '/admin/ui/sign-in/start',
    { schema: { hide: true, querystring: ReturnQuery } },
    async (request, reply) => {
      const session = await d.sessions.ensure(request, reply);
      const discovery = await discover();
      if (!discovery) {
        return sendPage(
          d,
          request,
          reply,
          null,
          'Sign in',
          signInPage('Signing in is not available right now. Please try again later.'),
          {
            status: 503,
          },
        );
      }
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      session.signIn = { verifier, state, returnTo: safeReturn(request.query.return_to) };
      await d.sessions.save(request, reply, session);
      const url = new URL(discovery.authorization_endpoint, d.publicUrl());
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: d.config.oidcClientId,
        redirect_uri: redirectUri(),
        scope: 'openid email api',
        // Every dashboard sign-in asks for the password and second factor, even while the provider
        // still has a session: signing out of the dashboard means it, and a sign-in started to
        // confirm it is you (before adding a passkey) is a real one (`auth_time` now).
        prompt: 'login',
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const sameOrigin = url.origin === new URL(d.publicUrl()).origin;
      return reply.redirect(sameOrigin ? url.pathname + url.search : url.toString(), 303);
    },
  );

  app.get(
    '/admin/ui/callback',
    { schema: { hide: true, querystring: CallbackQuery } },
    async (request, reply) => {
      const session = await d.sessions.read(request);
      const pending = session?.signIn;
      const { code, state, error } = request.query;
      const failed = (text: string, status = 400) =>
        sendPage(
          d,
          request,
          reply,
          null,
          'Sign in',
          html`${signInPage(text)}<p><a class="button" href="/admin/ui/sign-in/start">Try again</a></p>`,
          { status },
        );
      if (!session || !pending) return failed('This sign-in has expired. Please start again.');
      delete session.signIn;
      if (error || !code || state !== pending.state) {
        await d.sessions.save(request, reply, session);
        return failed('Signing in did not complete. Please try again.');
      }
      const discovery = await discover();
      const res = await d.api.request<TokenResponse>({
        method: 'POST',
        path: discovery ? new URL(discovery.token_endpoint, 'http://x').pathname : '/auth/token',
        form: {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri(),
          client_id: d.config.oidcClientId,
          code_verifier: pending.verifier,
        },
      });
      const staff = res.status === 200 && res.body?.access_token ? signInFromTokens(res.body, '') : null;
      if (!staff) {
        await d.sessions.save(request, reply, session);
        return failed('Signing in did not complete. Please try again.');
      }
      session.staff = staff;
      await d.sessions.rotate(request, reply, session);
      return reply.redirect(pending.returnTo, 303);
    },
  );
}
