import {
  AppError,
  type HttpApp,
  notFound,
  ProblemSchema,
  requirePermission,
  StrictObject,
} from '@emporium/platform';
import { type Static, Type } from 'typebox';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ApiClient, ApiClients } from '../clients/api-clients.ts';
import { STAFF_ROLES, type StaffUser, type StaffUsers } from '../staff/staff-users.ts';

const Roles = Type.Array(Type.String({ enum: STAFF_ROLES }), { minItems: 1, maxItems: 5, uniqueItems: true });
const IdParams = StrictObject({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
});

const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  mfa: Type.Object({ totp: Type.Boolean(), passkeys: Type.Integer() }),
  locked_until: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});
const Enrolment = Type.Object({
  user: UserSchema,
  totp_uri: Type.String(),
  recovery_codes: Type.Array(Type.String()),
});
const ApiKeySchema = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const AuditSchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  actor_type: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  status: Type.Integer(),
  source_ip: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
});

const userJson = (u: StaffUser): Static<typeof UserSchema> => ({
  id: u.id,
  email: u.email,
  roles: u.roles,
  mfa: u.mfa,
  locked_until: u.lockedUntil?.toISOString() ?? null,
  created_at: u.createdAt.toISOString(),
});
const keyJson = (k: ApiClient): Static<typeof ApiKeySchema> => ({
  client_id: k.clientId,
  name: k.name,
  roles: k.roles,
  created_by: k.createdBy,
  created_at: k.createdAt.toISOString(),
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

/** Only an owner may grant the owner role (an admin cannot make themselves or others owners). */
function checkGrant(roles: readonly string[], actorRoles: readonly string[]): void {
  if (roles.includes('owner') && !actorRoles.includes('owner')) {
    throw new AppError('forbidden', 403, 'Only an owner can grant the owner role.');
  }
}

/** `/admin/users` (staff and roles, MFA reset), `/admin/api-keys` (integration credentials), `/admin/audit-log`. */
export function registerAdminRoutes(
  app: HttpApp,
  staff: StaffUsers,
  apiClients: ApiClients,
  audit: AuditLog,
): void {
  const manage = requirePermission('staff:manage');

  app.get(
    '/admin/users',
    {
      onRequest: manage,
      schema: { tags: ['staff (admin)'], summary: 'List staff users', querystring: ListQuery },
    },
    async (request) => {
      const page = await staff.list({ limit: request.query.limit, cursor: request.query.cursor });
      return { data: page.data.map(userJson), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/admin/users',
    {
      onRequest: manage,
      schema: {
        tags: ['staff (admin)'],
        summary: 'Create a staff user; the TOTP enrolment URI and recovery codes are in this answer only',
        body: StrictObject({
          email: Type.String({ format: 'email', maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          roles: Roles,
        }),
        response: { 201: Enrolment, 409: ProblemSchema, 422: ProblemSchema },
      },
    },
    async (request, reply) => {
      checkGrant(request.body.roles, request.principal?.roles ?? []);
      const created = await staff.create(request.body);
      return reply.code(201).send({
        user: userJson(created.user),
        totp_uri: created.totpUri,
        recovery_codes: created.recoveryCodes,
      });
    },
  );

  app.patch(
    '/admin/users/:id',
    {
      onRequest: manage,
      schema: {
        tags: ['staff (admin)'],
        summary: 'Change a staff user’s roles',
        params: IdParams,
        body: StrictObject({ roles: Roles }),
        response: { 200: Type.Object({ user: UserSchema }), 404: ProblemSchema },
      },
    },
    async (request) => {
      checkGrant(request.body.roles, request.principal?.roles ?? []);
      const target = await staff.get(request.params.id);
      if (!target) throw notFound('The staff user');
      checkGrant(target.roles, request.principal?.roles ?? []);
      const user = await staff.setRoles(request.params.id, request.body.roles);
      if (!user) throw notFound('The staff user');
      return { user: userJson(user) };
    },
  );

  app.post(
    '/admin/users/:id/reset-mfa',
    {
      onRequest: manage,
      schema: {
        tags: ['staff (admin)'],
        summary: 'Replace a staff user’s TOTP secret and recovery codes, removing passkeys',
        params: IdParams,
        response: { 200: Enrolment, 404: ProblemSchema },
      },
    },
    async (request) => {
      const target = await staff.get(request.params.id);
      if (!target) throw notFound('The staff user');
      checkGrant(target.roles, request.principal?.roles ?? []);
      const r = await staff.resetMfa(request.params.id);
      if (!r) throw notFound('The staff user');
      return { user: userJson(r.user), totp_uri: r.totpUri, recovery_codes: r.recoveryCodes };
    },
  );

  app.get(
    '/admin/api-keys',
    {
      onRequest: manage,
      schema: { tags: ['staff (admin)'], summary: 'List integration credentials (never their secrets)' },
    },
    async () => ({ data: (await apiClients.list()).map(keyJson), next_cursor: null }),
  );

  app.post(
    '/admin/api-keys',
    {
      onRequest: manage,
      schema: {
        tags: ['staff (admin)'],
        summary: 'Create an integration credential; the secret is in this answer only',
        body: StrictObject({ name: Type.String({ minLength: 1, maxLength: 100 }), roles: Roles }),
        response: {
          201: Type.Object({ api_key: ApiKeySchema, client_id: Type.String(), client_secret: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      checkGrant(request.body.roles, request.principal?.roles ?? []);
      const r = await apiClients.create({ ...request.body, createdBy: request.principal?.subject ?? null });
      return reply
        .code(201)
        .send({ api_key: keyJson(r.client), client_id: r.client.clientId, client_secret: r.clientSecret });
    },
  );

  app.delete(
    '/admin/api-keys/:id',
    {
      onRequest: manage,
      schema: {
        tags: ['staff (admin)'],
        summary: 'Revoke an integration credential',
        params: IdParams,
        response: { 204: Type.Null(), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      if (!(await apiClients.revoke(request.params.id))) throw notFound('The API key');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/audit-log',
    {
      onRequest: requirePermission('audit:read'),
      schema: {
        tags: ['audit (admin)'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
          actor: Type.Optional(Type.String({ maxLength: 64 })),
          action: Type.Optional(Type.String({ maxLength: 200 })),
          outcome: Type.Optional(
            Type.Union([Type.Literal('success'), Type.Literal('denied'), Type.Literal('failure')]),
          ),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(AuditSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await audit.list({
        limit: q.limit,
        cursor: q.cursor === undefined ? undefined : Number(q.cursor),
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
      });
      return {
        data: page.data.map((r) => ({
          id: r.id,
          seq: r.seq,
          at: r.at.toISOString(),
          actor: r.actor,
          actor_type: r.actorType,
          action: r.action,
          target: r.target,
          outcome: r.outcome,
          status: r.status,
          source_ip: r.sourceIp,
          request_id: r.requestId,
          hash: r.hash,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );
}
