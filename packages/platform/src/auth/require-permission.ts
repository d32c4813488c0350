import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { Authenticator } from './authenticator.ts';
import { hasSecondFactor, type Permission, type Principal } from './principal.ts';

declare module 'fastify' {
  interface FastifyInstance {
    authenticator: Authenticator;
  }
  interface FastifyRequest {
    /** Set by `requirePermission` (and later store auth) once the bearer token is verified. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** The verified principal of the request's bearer token, or null (no token, or not a valid one). */
export async function authenticate(request: FastifyRequest): Promise<Principal | null> {
  if (request.principal) return request.principal;
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return null;
  request.principal = await request.server.authenticator.authenticate(match[1]);
  return request.principal;
}

/**
 * The principal of an `/admin` caller: a staff member with a second factor, or a service. No or
 * invalid token → 401 (with `WWW-Authenticate`); a customer, or a staff token without a second
 * factor → 403. For hooks that then check more (a permission, a staff member's own account).
 */
export async function requireAdminCaller(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
  const principal = await authenticate(request);
  if (!principal) {
    reply.header('www-authenticate', 'Bearer');
    throw new AppError('unauthorized', 401, 'Sign in: this action needs a valid access token.');
  }
  if (principal.kind === 'customer') {
    throw new AppError('forbidden', 403, 'This action is for staff only.');
  }
  if (principal.kind === 'staff' && !hasSecondFactor(principal)) {
    throw new AppError(
      'forbidden',
      403,
      'Sign in again with your second factor (authenticator code or passkey).',
    );
  }
  return principal;
}

/**
 * A hook that lets the request through only for a staff member or service holding `permission`:
 * no or invalid token → 401; a staff token without a second factor, or without the permission →
 * 403. Every `/admin` route uses it, as an `onRequest` hook so that an unauthenticated caller
 * learns nothing from body validation (a 422 would come before a preHandler runs).
 *
 * @example app.get('/admin/products', { onRequest: requirePermission('catalog:read') }, handler)
 */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = await requireAdminCaller(request, reply);
    if (!principal.permissions.has(permission)) {
      throw new AppError(
        'forbidden',
        403,
        `Your role does not allow this action (it needs "${permission}").`,
      );
    }
  };
}
