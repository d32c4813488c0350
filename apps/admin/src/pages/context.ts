import { type Permission, permissionsForRoles } from '@emporium/platform';
import type { Html } from '@emporium/storefront';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi, ApiRequest, ApiResponse } from '../api/admin-api.ts';
import type { Assets } from '../assets/assets.ts';
import type { AdminConfig } from '../config.ts';
import { layout, type PageFrame } from '../html/layout.ts';
import type { AdminSession, AdminSessions, StaffSignIn } from '../security/sessions.ts';

/** Everything a page handler needs, built once when the dashboard is mounted. */
export interface Dashboard {
  api: AdminApi;
  sessions: AdminSessions;
  assets: Assets;
  config: AdminConfig;
  /** The origin staff use (the OAuth redirect URI is built from it). */
  publicUrl(): string;
  /** This response's CSP nonce. */
  nonce(request: FastifyRequest): string;
}

/** A page request by a signed-in staff member. */
export interface StaffRequest {
  session: AdminSession;
  staff: StaffSignIn;
  permissions: ReadonlySet<Permission>;
  can(permission: Permission): boolean;
  /** Calls the admin API with the staff member's access token. A 401 ends the session. */
  call<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>>;
  /** POSTs raw bytes (an image to `/admin/media`) with the staff member's access token. A 401 ends the session. */
  upload<T = unknown>(path: string, bytes: Buffer, contentType: string): Promise<ApiResponse<T>>;
}

/** Thrown when the API no longer accepts the session's token: the error handler sends the sign-in page. */
export class SessionEnded extends Error {
  constructor() {
    super('The staff session has ended');
  }
}

/** Thrown when the staff member's roles do not allow a page or action (answered 403). */
export class NotAllowed extends Error {
  readonly permission: Permission;
  constructor(permission: Permission) {
    super(`This needs the ${permission} permission`);
    this.permission = permission;
  }
}

/** Seconds before expiry at which the access token is refreshed. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * The signed-in staff member for this request, the session's idle timer restarted, the access
 * token refreshed when it is about to expire. Not signed in (or the session ended): null, and the
 * browser is sent to sign in. Lacking `needs`: throws NotAllowed.
 */
export async function staffRequest(
  d: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  needs?: Permission,
): Promise<StaffRequest | null> {
  const session = await d.sessions.read(request);
  if (!session?.staff) {
    const returnTo = request.method === 'GET' ? request.url : '/admin';
    reply.redirect(`/admin/ui/sign-in?return_to=${encodeURIComponent(returnTo)}`, 303);
    return null;
  }
  if (session.staff.accessExpiresAt - REFRESH_MARGIN_MS < Date.now()) {
    const refreshed = await refresh(d, session.staff);
    if (!refreshed) {
      await d.sessions.destroy(request, reply);
      reply.redirect(`/admin/ui/sign-in?ended=1&return_to=${encodeURIComponent('/admin')}`, 303);
      return null;
    }
    session.staff = refreshed;
  }
  await d.sessions.save(request, reply, session);
  const staff = session.staff;
  const permissions = permissionsForRoles(staff.roles);
  if (needs && !permissions.has(needs)) throw new NotAllowed(needs);
  return {
    session,
    staff,
    permissions,
    can: (p) => permissions.has(p),
    async call<T>(req: ApiRequest) {
      const res = await d.api.request<T>(req, staff.accessToken);
      if (res.status === 401) throw new SessionEnded();
      return res;
    },
    async upload<T>(path: string, bytes: Buffer, contentType: string) {
      const res = await d.api.upload<T>(path, bytes, contentType, staff.accessToken);
      if (res.status === 401) throw new SessionEnded();
      return res;
    },
  };
}

/** A new access token from the refresh token (rotated by the provider), or null. */
async function refresh(d: Dashboard, staff: StaffSignIn): Promise<StaffSignIn | null> {
  if (!staff.refreshToken) return null;
  const res = await d.api.request<TokenResponse>({
    method: 'POST',
    path: '/auth/token',
    form: {
      grant_type: 'refresh_token',
      refresh_token: staff.refreshToken,
      client_id: d.config.oidcClientId,
    },
  });
  if (res.status !== 200 || !res.body?.access_token) return null;
  return signInFromTokens(res.body, staff.email) ?? null;
}

export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
}

/** Claims of a JWT the dashboard received straight from the provider's token endpoint. */
export function jwtClaims(token: string | undefined): Record<string, unknown> {
  const part = token?.split('.')[1];
  if (!part) return {};
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The session's view of a token response. The roles shown in the navigation come from the access
 * token (the API checks the token itself on every call, so a stale view can only hide or offer a
 * link, never grant anything). Null when the token is not a staff token.
 */
export function signInFromTokens(tokens: TokenResponse, fallbackEmail: string): StaffSignIn | null {
  const access = jwtClaims(tokens.access_token);
  const id = jwtClaims(tokens.id_token);
  if (access.principal_type !== 'staff' || typeof access.sub !== 'string') return null;
  const exp =
    typeof access.exp === 'number' ? access.exp * 1000 : Date.now() + (tokens.expires_in ?? 60) * 1000;
  return {
    subject: access.sub,
    email: typeof id.email === 'string' ? id.email : fallbackEmail,
    roles: Array.isArray(access.roles) ? access.roles.filter((r): r is string => typeof r === 'string') : [],
    accessToken: tokens.access_token,
    accessExpiresAt: exp,
    refreshToken: tokens.refresh_token ?? null,
  };
}

/** Sends a dashboard page: the frame with navigation for the staff member's roles. */
export function sendPage(
  d: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  who: StaffRequest | null,
  title: string,
  body: Html,
  options: { status?: number; csrf?: string; script?: string } = {},
): FastifyReply {
  const flash = who?.session.flash;
  if (who && flash) {
    delete who.session.flash;
    void d.sessions.save(request, reply, who.session).catch(() => undefined);
  }
  const frame: PageFrame = {
    nonce: d.nonce(request),
    assets: d.assets,
    csrf: who?.session.csrf ?? options.csrf ?? '',
    path: request.url.split('?')[0] ?? '',
    flash,
    script: options.script,
    ...(who
      ? { staff: { email: who.staff.email, roles: who.staff.roles, permissions: who.permissions } }
      : {}),
  };
  return reply
    .code(options.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(layout(frame, title, body).value);
}

/** Keeps a message for the next page and redirects there (post/redirect/get). */
export async function redirectWith(
  d: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  who: StaffRequest,
  to: string,
  flash: { kind: 'error' | 'notice'; text: string },
): Promise<FastifyReply> {
  who.session.flash = flash;
  await d.sessions.save(request, reply, who.session);
  return reply.redirect(to, 303);
}

/** A form field as a trimmed string ('' when absent), at most `max` characters. */
export function field(body: unknown, name: string, max = 500): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}
