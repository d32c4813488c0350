import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isProblem } from '../api/store-api.ts';
import type { Address, Order } from '../api/types.ts';
import { formatMoney } from '../html/format.ts';
import { type Html, html } from '../html/html.ts';
import { csrfField, layout, type PageFrame } from '../html/layout.ts';
import { isValidCsrf, type SessionData } from '../security/session.ts';
import { expired, problemMessage } from './cart-pages.ts';
import { adoptGuestCart, type SavedAddress, savedAddresses } from './customer.ts';
import { field, formBody } from './forms.ts';
import { type Storefront, sendPersonal } from './page.ts';

interface Customer {
  id: string;
  email: string;
  first_name?: string | null;
  last_name?: string | null;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

/**
 * Sign in through the identity provider (OpenID Connect, authorization code + PKCE: the browser
 * never sees a token; this server keeps the customer's access token in the sealed session) and the
 * account pages (orders, addresses).
 */
export function registerAccountPages(app: FastifyInstance, sf: Storefront): void {
  app.get('/account', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    if (!session.customer) return signInPage(sf, request, reply, session);
    const auth = { authorization: `Bearer ${session.customer.token}` };
    const [me, orders, addresses] = await Promise.all([
      sf.api.request<{ customer: Customer }>({ method: 'GET', path: '/store/customers/me', headers: auth }),
      sf.api.request<{ data: Order[] }>({
        method: 'GET',
        path: '/store/customers/me/orders',
        headers: auth,
      }),
      savedAddresses(sf, session.customer.token),
    ]);
    if (me.status === 401) {
      delete session.customer;
      sf.sessions.write(request, reply, session);
      return signInPage(sf, request, reply, session, 'Your session has ended. Please sign in again.');
    }
    const customer = me.status === 200 ? me.body.customer : { id: '', email: session.customer.email };
    const listed = orders.status === 200 && Array.isArray(orders.body?.data) ? orders.body.data : null;
    const flash = session.flash;
    if (flash) {
      delete session.flash;
      sf.sessions.write(request, reply, session);
    }
    return sendPersonal(sf, request, reply, session, (frame) =>
      accountPage(frame, customer, listed, addresses, flash),
    );
  });

  app.get('/account/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    return signInPage(sf, request, reply, session);
  });

  app.post('/account/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
    const discovery = await discover(sf);
    if (!discovery)
      return signInPage(
        sf,
        request,
        reply,
        session,
        'Signing in is not available right now. Please try again later.',
        503,
      );
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    session.signIn = { verifier, state, returnTo: '/account' };
    sf.sessions.write(request, reply, session);
    // In the monolith (no API URL) the provider is mounted on this very app, so its pages are on
    // the shopper's origin; discovery read in-process names the internal host, so only its path counts.
    const url = sf.config.apiUrl
      ? new URL(discovery.authorization_endpoint, origin(sf, request))
      : new URL(pathOf(discovery.authorization_endpoint), origin(sf, request));
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: sf.config.oidcClientId,
      redirect_uri: `${origin(sf, request)}/account/callback`,
      scope: 'openid email profile',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return reply.redirect(
      url.origin === origin(sf, request) ? url.pathname + url.search : url.toString(),
      303,
    );
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/account/callback',
    { schema: { hide: true } },
    async (request, reply) => {
      const session = sf.sessions.ensure(request, reply);
      const { code, state, error } = request.query;
      const pending = session.signIn;
      delete session.signIn;
      if (error || !code || !pending || state !== pending.state) {
        sf.sessions.write(request, reply, session);
        return signInPage(sf, request, reply, session, 'Signing in did not complete. Please try again.', 400);
      }
      const discovery = await discover(sf);
      const tokenPath = discovery ? pathOf(discovery.token_endpoint) : '/auth/token';
      const res = await sf.api.request<{ access_token: string; id_token?: string }>({
        method: 'POST',
        path: tokenPath,
        form: {
          grant_type: 'authorization_code',
          code,
          redirect_uri: `${origin(sf, request)}/account/callback`,
          client_id: sf.config.oidcClientId,
          code_verifier: pending.verifier,
        },
      });
      if (res.status !== 200 || !res.body?.access_token) {
        sf.sessions.write(request, reply, session);
        return signInPage(sf, request, reply, session, 'Signing in did not complete. Please try again.', 400);
      }
      const me = await sf.api.request<{ customer: Customer }>({
        method: 'GET',
        path: '/store/customers/me',
        headers: { authorization: `Bearer ${res.body.access_token}` },
      });
      // A new session token after signing in (no fixation of the old one).
      session.csrf = randomBytes(24).toString('base64url');
      session.customer = {
        token: res.body.access_token,
        email: me.status === 200 ? me.body.customer.email : '',
      };
      // The cart started as a guest is now the customer's: the order placed from it is theirs.
      const lost = await adoptGuestCart(sf, request, session, res.body.access_token);
      if (lost) session.flash = { kind: 'error', text: lost };
      sf.sessions.write(request, reply, session);
      return reply.redirect(pending.returnTo, 303);
    },
  );

  app.post('/account/sign-out', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
    sf.sessions.clear(request, reply);
    return reply.redirect('/', 303);
  });

  app.get('/account/register', { schema: { hide: true } }, async (request, reply) => {
    const session = sf.sessions.ensure(request, reply);
    return sendPersonal(sf, request, reply, session, (frame) => registerPage(frame, {}, {}));
  });

  app.post('/account/register', { schema: { hide: true } }, async (request, reply) => {
    const body = formBody(request);
    const session = sf.sessions.ensure(request, reply);
    if (!isValidCsrf(session, body._csrf)) return expired(sf, request, reply, session);
    const values = {
      email: field(body, 'email', 254),
      first_name: field(body, 'first_name'),
      last_name: field(body, 'last_name'),
    };
    const res = await sf.api.request({
      method: 'POST',
      path: '/store/customers',
      body: { ...values, password: typeof body.password === 'string' ? body.password.slice(0, 1000) : '' },
    });
    if (res.status === 201 || res.status === 200) {
      return signInPage(
        sf,
        request,
        reply,
        session,
        undefined,
        200,
        'Your account is ready. Sign in to continue.',
      );
    }
    const errors: Record<string, string> = {};
    if (isProblem(res.body)) {
      for (const e of res.body.errors ?? []) {
        const name = e.path.split('/').pop() ?? '';
        if (!errors[name]) errors[name] = e.message;
      }
    }
    if (Object.keys(errors).length === 0)
      errors.email = problemMessage(res.body, null, 'We could not create your account.');
    return sendPersonal(sf, request, reply, session, (frame) => registerPage(frame, values, errors), {
      status: 422,
    });
  });
}

async function discover(sf: Storefront): Promise<Discovery | null> {
  const res = await sf.api.request<Discovery>({
    method: 'GET',
    path: '/auth/.well-known/openid-configuration',
  });
  return res.status === 200 && res.body?.authorization_endpoint ? res.body : null;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url, 'http://x');
    return u.pathname + u.search;
  } catch {
    return '/auth/token';
  }
}

// The public URL when configured (it is the registered redirect), else the origin the shopper used.
function origin(sf: Storefront, request: FastifyRequest): string {
  return sf.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

function signInPage(
  sf: Storefront,
  request: FastifyRequest,
  reply: FastifyReply,
  session: SessionData,
  error?: string,
  status = 200,
  notice?: string,
): FastifyReply {
  return sendPersonal(
    sf,
    request,
    reply,
    session,
    (frame) =>
      layout(
        frame,
        'Sign in',
        html`<h1>Sign in</h1>
${error ? html`<div class="alert" role="alert">${error}</div>` : ''}
${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
<p>Sign in to see your orders and saved addresses.</p>
<form method="post" action="/account/sign-in">${csrfField(frame.csrf)}<button type="submit">Sign in</button></form>
<p>New here? <a href="/account/register">Create an account</a>.</p>`,
      ),
    { status },
  );
}

function registerPage(
  frame: PageFrame,
  values: Record<string, string>,
  errors: Record<string, string>,
): Html {
  const row = (name: string, label: string, type: string, autocomplete: string) => {
    const error = errors[name];
    return html`<div class="field"><label for="r-${name}">${label}</label>
<input id="r-${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${type === 'password' ? '' : (values[name] ?? '')}"${
      name === 'email' || name === 'password' ? html` required` : ''
    }${error ? html` aria-invalid="true" aria-describedby="r-${name}-error"` : ''}>
${error ? html`<span id="r-${name}-error" class="field-error">${error}</span>` : ''}</div>`;
  };
  return layout(
    frame,
    'Create an account',
    html`<h1>Create an account</h1>
<form method="post" action="/account/register">${csrfField(frame.csrf)}
${row('email', 'Email', 'email', 'email')}
${row('password', 'Password', 'password', 'new-password')}
${row('first_name', 'First name', 'text', 'given-name')}
${row('last_name', 'Last name', 'text', 'family-name')}
<button type="submit">Create account</button>
</form>`,
  );
}

function accountPage(
  frame: PageFrame,
  customer: Customer,
  orders: Order[] | null,
  addresses: SavedAddress[] | null,
  flash: SessionData['flash'],
): Html {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ');
  return layout(
    frame,
    'Your account',
    html`<h1>Your account</h1>
${
  flash
    ? flash.kind === 'error'
      ? html`<div class="alert" role="alert">${flash.text}</div>`
      : html`<div class="notice" role="status">${flash.text}</div>`
    : ''
}
<p>Signed in as ${name ? html`${name} (${customer.email})` : customer.email}.</p>
<form method="post" action="/account/sign-out">${csrfField(frame.csrf)}<button type="submit" class="secondary">Sign out</button></form>
<section aria-labelledby="orders-heading"><h2 id="orders-heading">Your orders</h2>
${
  orders === null
    ? html`<p>We could not load your orders just now.</p>`
    : orders.length === 0
      ? html`<p>You have not placed an order yet.</p>`
      : html`<table><thead><tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col">Status</th><th scope="col">Total</th></tr></thead><tbody>${orders.map(
          (o) =>
            html`<tr><th scope="row"><a href="/orders/${o.id}">Order ${o.number}</a></th><td>${(o.placed_at ?? o.created_at ?? '').slice(0, 10)}</td><td>${o.status}</td><td>${formatMoney(o.total)}</td></tr>`,
        )}</tbody></table>`
}
</section>
<section aria-labelledby="addresses-heading"><h2 id="addresses-heading">Your addresses</h2>
${
  addresses === null
    ? html`<p>We could not load your addresses just now.</p>`
    : addresses.length > 0
      ? html`<ul class="addresses">${addresses.map((a) => html`<li>${postal(a)}</li>`)}</ul>`
      : html`<p>Addresses you ship to are saved here after your first order.</p>`
}
</section>`,
  );
}

function postal(a: Address): Html {
  return html`<address>${a.first_name} ${a.last_name}<br>${a.line1}<br>${a.line2 ? html`${a.line2}<br>` : ''}${a.postal_code} ${a.city}${a.region ? html`, ${a.region}` : ''}<br>${a.country_code.toUpperCase()}</address>`;
}
