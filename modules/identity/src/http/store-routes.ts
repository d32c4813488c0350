import {
  AppError,
  authenticate,
  consumeRateLimit,
  type HttpApp,
  notFound,
  type Principal,
  ProblemSchema,
  rateLimit,
  StrictObject,
} from '@emporium/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Address, Customer, CustomerOrdersPort } from '../contract/index.ts';
import type { FieldCrypto } from '../crypto/field-crypto.ts';
import type { Customers } from '../customers/customers.ts';
import { LIMITS } from '../rate-limits.ts';

const tags = ['customers (store)'];
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Email = Type.String({ format: 'email', maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

const CustomerSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  first_name: Type.Union([Type.String(), Type.Null()]),
  last_name: Type.Union([Type.String(), Type.Null()]),
  email_verified: Type.Boolean(),
  created_at: Type.String(),
});
const AddressFields = {
  first_name: Name,
  last_name: Name,
  line1: Type.String({ minLength: 1, maxLength: 200 }),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  postal_code: Type.String({ minLength: 1, maxLength: 20 }),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  country_code: Type.String({ pattern: '^[a-z]{2}$' }),
  phone: Type.Optional(Type.String({ maxLength: 40, pattern: '^[+0-9 ()-]*$' })),
};
const AddressBody = StrictObject(AddressFields);
const AddressSchema = Type.Object({ id: Type.String(), ...AddressFields });
const AddressParams = StrictObject({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

const customerJson = (c: Customer): Static<typeof CustomerSchema> => ({
  id: c.id,
  email: c.email,
  first_name: c.firstName,
  last_name: c.lastName,
  email_verified: c.emailVerified,
  created_at: c.createdAt,
});

/** The signed-in customer: no or bad token → 401; a staff or service token → 403. */
async function requireCustomer(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
  const principal = await authenticate(request);
  if (!principal) {
    reply.header('www-authenticate', 'Bearer');
    throw new AppError('unauthorized', 401, 'Sign in: this page needs a customer access token.');
  }
  if (principal.kind !== 'customer') throw new AppError('forbidden', 403, 'This is for signed-in customers.');
  return principal;
}

/**
 * `/store/customers`: registration, the signed-in customer's profile and addresses (their own
 * only: another customer's address answers 404), their orders, email verification and password reset.
 */
export function registerStoreRoutes(
  app: HttpApp,
  customers: Customers,
  crypto: () => FieldCrypto,
  orders: CustomerOrdersPort | undefined,
): void {
  app.post(
    '/store/customers',
    {
      onRequest: rateLimit(LIMITS.registerPerIp),
      schema: {
        tags,
        summary: 'Register a customer account',
        body: StrictObject({
          email: Email,
          password: Password,
          first_name: Type.Optional(Name),
          last_name: Type.Optional(Name),
        }),
        response: {
          201: Type.Object({ customer: CustomerSchema }),
          409: ProblemSchema,
          422: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const customer = await customers.register({
        email: b.email,
        password: b.password,
        firstName: b.first_name,
        lastName: b.last_name,
      });
      return reply.code(201).send({ customer: customerJson(customer) });
    },
  );

  app.get(
    '/store/customers/me',
    {
      schema: {
        tags,
        summary: 'The signed-in customer',
        response: { 200: Type.Object({ customer: CustomerSchema }) },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      const c = await customers.get(p.subject);
      if (!c) throw notFound('The customer');
      return { customer: customerJson(c) };
    },
  );

  app.patch(
    '/store/customers/me',
    {
      schema: {
        tags,
        summary: 'Change the signed-in customer’s name',
        body: StrictObject({
          first_name: Type.Optional(Type.Union([Name, Type.Null()])),
          last_name: Type.Optional(Type.Union([Name, Type.Null()])),
        }),
        response: { 200: Type.Object({ customer: CustomerSchema }) },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      const c = await customers.update(p.subject, {
        firstName: request.body.first_name,
        lastName: request.body.last_name,
      });
      if (!c) throw notFound('The customer');
      return { customer: customerJson(c) };
    },
  );

  app.get(
    '/store/customers/me/addresses',
    {
      schema: {
        tags,
        summary: 'The signed-in customer’s addresses',
        response: { 200: Type.Object({ data: Type.Array(AddressSchema), next_cursor: Type.Null() }) },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      return { data: await customers.listAddresses(p.subject), next_cursor: null };
    },
  );

  app.post(
    '/store/customers/me/addresses',
    {
      schema: {
        tags,
        summary: 'Save an address',
        body: AddressBody,
        response: { 201: Type.Object({ address: AddressSchema }) },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      const address = await customers.addAddress(p.subject, request.body as Omit<Address, 'id'>);
      return reply.code(201).send({ address });
    },
  );

  app.put(
    '/store/customers/me/addresses/:id',
    {
      schema: {
        tags,
        summary: 'Replace a saved address',
        params: AddressParams,
        body: AddressBody,
        response: { 200: Type.Object({ address: AddressSchema }), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      const address = await customers.replaceAddress(
        p.subject,
        request.params.id,
        request.body as Omit<Address, 'id'>,
      );
      if (!address) throw notFound('The address');
      return { address };
    },
  );

  app.delete(
    '/store/customers/me/addresses/:id',
    {
      schema: {
        tags,
        summary: 'Delete a saved address',
        params: AddressParams,
        response: { 204: Type.Null(), 404: ProblemSchema },
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      if (!(await customers.deleteAddress(p.subject, request.params.id))) throw notFound('The address');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/store/customers/me/orders',
    {
      schema: {
        tags,
        summary: 'The signed-in customer’s orders, newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (request, reply) => {
      const p = await requireCustomer(request, reply);
      if (!orders) return { data: [], next_cursor: null };
      const page = await orders.listForCustomer(p.subject, {
        limit: request.query.limit,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      });
      return { data: page.data, next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/store/customers/verify-email',
    {
      schema: {
        tags,
        summary: 'Confirm an email address with the emailed token',
        body: StrictObject({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      if (!(await customers.verifyEmail(request.body.token))) {
        throw new AppError(
          'invalid_token',
          422,
          'This verification link is unknown, used or expired; ask for a new one.',
        );
      }
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/store/customers/password-reset',
    {
      onRequest: rateLimit(LIMITS.resetPerIp),
      schema: {
        tags,
        summary: 'Email a password reset link (the same answer whether or not the email has an account)',
        body: StrictObject({ email: Email }),
      },
    },
    async (request, reply) => {
      await consumeRateLimit(
        request,
        reply,
        LIMITS.resetPerAccount,
        `account:${crypto().emailHash(request.body.email)}`,
      );
      await customers.requestPasswordReset(request.body.email);
      return reply.code(202).send({ status: 'sent_if_registered' });
    },
  );

  app.post(
    '/store/customers/password-reset/confirm',
    {
      onRequest: rateLimit(LIMITS.resetPerIp),
      schema: {
        tags,
        summary: 'Set a new password with the emailed token',
        body: StrictObject({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Password }),
      },
    },
    async (request, reply) => {
      if (!(await customers.resetPassword(request.body.token, request.body.password))) {
        throw new AppError(
          'invalid_token',
          422,
          'This reset link is unknown, used or expired; ask for a new one.',
        );
      }
      return reply.code(204).send(null);
    },
  );
}
