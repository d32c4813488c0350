import {
  AppError,
  type Clock,
  type HttpApp,
  notFound,
  ProblemSchema,
  requireAdminCaller,
  StrictObject,
} from '@emporium/platform';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { type Static, Type } from 'typebox';
import { reauthenticationRequired } from '../errors.ts';
import type { Passkey, StaffPasskeys } from '../staff/staff-passkeys.ts';
import type { StaffUser, StaffUsers } from '../staff/staff-users.ts';

/** How recent the sign-in behind the token must be to add or remove a second factor. */
export const REAUTH_WINDOW_MS = 5 * 60_000;

const PasskeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  transports: Type.Array(Type.String()),
  backed_up: Type.Boolean(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
});
const MeSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  mfa: Type.Object({ totp: Type.Boolean(), passkeys: Type.Integer() }),
  /** When the sign-in behind this token happened (ISO 8601), if the token says. */
  signed_in_at: Type.Union([Type.String(), Type.Null()]),
  /** Until when adding or removing a second factor or changing the email works without signing in again. */
  recent_until: Type.Union([Type.String(), Type.Null()]),
});
const CredentialParams = StrictObject({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$' }) });
const B64 = Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength: 16_384 });
// The JSON of a PublicKeyCredential from navigator.credentials.create (WebAuthn Level 3 toJSON()).
const RegistrationResponse = StrictObject({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$' }),
  rawId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,1024}$' }),
  type: Type.Literal('public-key'),
  response: StrictObject({
    clientDataJSON: B64,
    attestationObject: B64,
    authenticatorData: Type.Optional(B64),
    transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(B64),
  }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  clientExtensionResults: Type.Optional(
    StrictObject({ credProps: Type.Optional(StrictObject({ rk: Type.Optional(Type.Boolean()) })) }),
  ),
});

const passkeyJson = (p: Passkey): Static<typeof PasskeySchema> => ({
  id: p.id,
  name: p.name,
  transports: p.transports,
  backed_up: p.backedUp,
  created_at: p.createdAt.toISOString(),
  last_used_at: p.lastUsedAt?.toISOString() ?? null,
});

/**
 * When the sign-in behind the request's bearer token happened (ms), or null. authenticate() has
 * verified this very token (signature, issuer, audience, expiry) before: its claims can be read
 * without a second verification.
 */
function authTimeOf(request: FastifyRequest): number | null {
  const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  try {
    const authTime = decodeJwt(token).auth_time;
    return typeof authTime === 'number' ? authTime * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * A staff member acting on their own account: a staff token with a second factor (any role). With
 * `recent`, the sign-in behind the token (`auth_time`, kept across refreshes) must also be at most
 * REAUTH_WINDOW_MS old, else 403 `reauthentication_required`: the client signs in again
 * (`prompt=login`) and retries.
 */
function staffSelf(clock: Clock, options: { recent?: boolean } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = await requireAdminCaller(request, reply);
    if (principal.kind !== 'staff') {
      throw new AppError('forbidden', 403, 'This is for a staff member’s own account.');
    }
    if (options.recent) {
      const authTime = authTimeOf(request);
      if (authTime === null || clock.now().getTime() - authTime > REAUTH_WINDOW_MS) {
        throw reauthenticationRequired();
      }
    }
  };
}

/**
 * `/admin/me` (the staff member's own account, email change) and `/admin/me/passkeys` (their own
 * passkeys). Reading needs a staff token with a second factor; changing the email, adding a passkey
 * (options, then the answer) and removing one need a recent sign-in as well.
 */
export function registerMeRoutes(
  app: HttpApp,
  staff: StaffUsers,
  passkeys: StaffPasskeys,
  clock: Clock,
): void {
  const self = staffSelf(clock);
  const recent = staffSelf(clock, { recent: true });
  const subject = (request: FastifyRequest) => request.principal?.subject ?? '';
  const meJson = (user: StaffUser, request: FastifyRequest): Static<typeof MeSchema> => {
    const at = authTimeOf(request);
    return {
      id: user.id,
      email: user.email,
      roles: user.roles,
      mfa: user.mfa,
      signed_in_at: at === null ? null : new Date(at).toISOString(),
      recent_until: at === null ? null : new Date(at + REAUTH_WINDOW_MS).toISOString(),
    };
  };

  app.get(
    '/admin/me',
    {
      onRequest: self,
      schema: {
        tags: ['staff (self)'],
        summary: 'Your staff account, and until when it counts as recently signed in',
        response: { 200: Type.Object({ user: MeSchema }), 404: ProblemSchema },
      },
    },
    async (request) => {
      const user = await staff.get(subject(request));
      if (!user) throw notFound('Your staff account');
      return { user: meJson(user, request) };
    },
  );

  app.patch(
    '/admin/me',
    {
      onRequest: recent,
      schema: {
        tags: ['staff (self)'],
        summary: 'Change your sign-in email (needs a recent sign-in)',
        body: StrictObject({ email: Type.String({ format: 'email', maxLength: 320 }) }),
        response: {
          200: Type.Object({ user: MeSchema }),
          403: ProblemSchema,
          404: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => {
      const user = await staff.changeEmail(subject(request), request.body.email);
      if (!user) throw notFound('Your staff account');
      return { user: meJson(user, request) };
    },
  );

  app.get(
    '/admin/me/passkeys',
    {
      onRequest: self,
      schema: {
        tags: ['staff (self)'],
        summary: 'Your passkeys',
        response: {
          200: Type.Object({ data: Type.Array(PasskeySchema), next_cursor: Type.Null() }),
        },
      },
    },
    async (request) => ({
      data: (await passkeys.list(subject(request))).map(passkeyJson),
      next_cursor: null,
    }),
  );

  app.post(
    '/admin/me/passkeys/registration-options',
    {
      onRequest: recent,
      schema: {
        tags: ['staff (self)'],
        summary:
          'Start adding a passkey: options for navigator.credentials.create (the challenge is single use, 5 minutes)',
        response: {
          200: Type.Object({ options: Type.Unknown() }),
          403: ProblemSchema,
          409: ProblemSchema,
        },
      },
    },
    async (request) => ({ options: await passkeys.registrationOptions(subject(request)) }),
  );

  app.post(
    '/admin/me/passkeys',
    {
      onRequest: recent,
      bodyLimit: 65_536,
      schema: {
        tags: ['staff (self)'],
        summary: 'Finish adding a passkey with the answer of navigator.credentials.create',
        body: StrictObject({
          name: Type.String({ minLength: 1, maxLength: 60 }),
          credential: RegistrationResponse,
        }),
        response: { 201: Type.Object({ passkey: PasskeySchema }), 403: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      const passkey = await passkeys.register(subject(request), {
        name: request.body.name,
        response: {
          ...request.body.credential,
          clientExtensionResults: request.body.credential.clientExtensionResults ?? {},
        } as RegistrationResponseJSON,
      });
      return reply.code(201).send({ passkey: passkeyJson(passkey) });
    },
  );

  app.delete(
    '/admin/me/passkeys/:id',
    {
      onRequest: recent,
      schema: {
        tags: ['staff (self)'],
        summary: 'Remove one of your passkeys',
        params: CredentialParams,
        response: { 204: Type.Null(), 403: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      if (!(await passkeys.remove(subject(request), request.params.id))) throw notFound('The passkey');
      return reply.code(204).send(null);
    },
  );
}
