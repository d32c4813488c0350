import { randomBytes } from 'node:crypto';
import { conflict, newId } from '@emporium/platform';
import { sql } from 'kysely';
import type { Address, Customer } from '../contract/index.ts';
import { sha256 } from '../crypto/field-crypto.ts';
import { weakPassword } from '../errors.ts';
import type { IdentityContext } from '../identity-context.ts';
import {
  checkPassword,
  hashPassword,
  MIN_CUSTOMER_PASSWORD,
  passwordProblem,
} from '../passwords/passwords.ts';

const VERIFY_TTL_MS = 24 * 60 * 60_000;
const RESET_TTL_MS = 30 * 60_000;

interface CustomerRow {
  id: string;
  email_enc: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  password_hash: string;
  email_verified_at: Date | null;
  created_at: Date;
}

/** Customer accounts: personal data encrypted per field, found by a keyed hash of the email. */
export function createCustomers(ctx: IdentityContext) {
  const c = () => ctx.crypto();
  const dec = (v: string | null, field: string) => (v === null ? null : c().decrypt(v, `customers.${field}`));
  const toCustomer = (row: CustomerRow): Customer => ({
    id: row.id,
    email: c().decrypt(row.email_enc, 'customers.email'),
    firstName: dec(row.first_name_enc, 'first_name'),
    lastName: dec(row.last_name_enc, 'last_name'),
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at.toISOString(),
  });
  const row = async (id: string) =>
    (await sql<CustomerRow>`select * from identity.customers where id = ${id}`.execute(ctx.db.primary))
      .rows[0];

  const issueToken = async (
    customerId: string,
    purpose: 'verify_email' | 'reset_password',
    ttlMs: number,
  ) => {
    const token = randomBytes(32).toString('base64url');
    const now = ctx.clock.now();
    await sql`insert into identity.email_tokens (token_hash, purpose, customer_id, expires_at, created_at)
      values (${sha256(token)}, ${purpose}, ${customerId}, ${new Date(now.getTime() + ttlMs)}, ${now})`.execute(
      ctx.db.primary,
    );
    return token;
  };

  const useToken = async (
    token: string,
    purpose: 'verify_email' | 'reset_password',
  ): Promise<string | null> => {
    const now = ctx.clock.now();
    const r = await sql<{ customer_id: string }>`update identity.email_tokens set used_at = ${now}
      where token_hash = ${sha256(token)} and purpose = ${purpose} and used_at is null and expires_at > ${now}
      returning customer_id`.execute(ctx.db.primary);
    return r.rows[0]?.customer_id ?? null;
  };

  return {
    async register(input: {
      email: string;
      password: string;
      firstName?: string | undefined;
      lastName?: string | undefined;
    }): Promise<Customer> {
      const problem = passwordProblem(input.password, MIN_CUSTOMER_PASSWORD);
      if (problem) throw weakPassword(problem);
      const id = newId('cus');
      const now = ctx.clock.now();
      const email = input.email.trim();
      const passwordHash = await hashPassword(input.password);
      const inserted = await sql`insert into identity.customers
          (id, email_hash, email_enc, first_name_enc, last_name_enc, password_hash, created_at, updated_at)
        values (${id}, ${c().emailHash(email)}, ${c().encrypt(email, 'customers.email')},
          ${input.firstName ? c().encrypt(input.firstName, 'customers.first_name') : null},
          ${input.lastName ? c().encrypt(input.lastName, 'customers.last_name') : null},
          ${passwordHash}, ${now}, ${now})
        on conflict (email_hash) do nothing`.execute(ctx.db.primary);
      if (Number(inserted.numAffectedRows ?? 0) === 0) {
        throw conflict(
          'customer_exists',
          'An account with this email already exists: sign in, or reset the password.',
        );
      }
      const token = await issueToken(id, 'verify_email', VERIFY_TTL_MS);
      await ctx.notifier.send({
        to: email,
        subject: 'Confirm your email address',
        kind: 'identity.verify_email',
        text: `Welcome! Confirm your email address by opening this link (valid for 24 hours):\n${ctx.publicOrigin}/account/verify-email?token=${token}\n`,
      });
      const created = await row(id);
      if (!created) throw new Error('customer vanished after insert');
      return toCustomer(created);
    },

    /** The customer id for a matching email and password, else null; the same cost for unknown emails. */
    async authenticate(email: string, password: string): Promise<string | null> {
      const found = (
        await sql<CustomerRow>`select * from identity.customers where email_hash = ${c().emailHash(email)}`.execute(
          ctx.db.primary,
        )
      ).rows[0];
      const ok = await checkPassword(found?.password_hash, password);
      return ok && found ? found.id : null;
    },

    async get(id: string): Promise<Customer | null> {
      const r = await row(id);
      return r ? toCustomer(r) : null;
    },

    async update(
      id: string,
      patch: { firstName?: string | null; lastName?: string | null },
    ): Promise<Customer | null> {
      const enc = (v: string | null | undefined, field: string) =>
        v ? c().encrypt(v, `customers.${field}`) : null;
      await sql`update identity.customers set
          first_name_enc = ${patch.firstName === undefined ? sql`first_name_enc` : enc(patch.firstName, 'first_name')},
          last_name_enc = ${patch.lastName === undefined ? sql`last_name_enc` : enc(patch.lastName, 'last_name')},
          updated_at = ${ctx.clock.now()}
        where id = ${id}`.execute(ctx.db.primary);
      return this.get(id);
    },

    async verifyEmail(token: string): Promise<boolean> {
      const id = await useToken(token, 'verify_email');
      if (!id) return false;
      await sql`update identity.customers set email_verified_at = ${ctx.clock.now()} where id = ${id}`.execute(
        ctx.db.primary,
      );
      return true;
    },

    /** Sends a reset link when the email has an account; the caller answers the same either way. */
    async requestPasswordReset(email: string): Promise<void> {
      const found = (
        await sql<{
          id: string;
        }>`select id from identity.customers where email_hash = ${c().emailHash(email)}`.execute(
          ctx.db.primary,
        )
      ).rows[0];
      if (!found) {
        // The same work as for a known account, so that timing does not tell them apart.
        sha256(randomBytes(32).toString('base64url'));
        return;
      }
      const token = await issueToken(found.id, 'reset_password', RESET_TTL_MS);
      await ctx.notifier.send({
        to: email.trim(),
        subject: 'Reset your password',
        kind: 'identity.password_reset',
        text: `Someone asked to reset the password of your account. If it was you, open this link within 30 minutes:\n${ctx.publicOrigin}/account/reset-password?token=${token}\nIf not, ignore this email.\n`,
      });
    },

    async resetPassword(token: string, password: string): Promise<boolean> {
      const problem = passwordProblem(password, MIN_CUSTOMER_PASSWORD);
      if (problem) throw weakPassword(problem);
      const id = await useToken(token, 'reset_password');
      if (!id) return false;
      await sql`update identity.customers set password_hash = ${await hashPassword(password)}, updated_at = ${ctx.clock.now()}
        where id = ${id}`.execute(ctx.db.primary);
      return true;
    },

    async listAddresses(customerId: string): Promise<Address[]> {
      const r = await sql<{
        id: string;
        data_enc: string;
      }>`select id, data_enc from identity.customer_addresses
        where customer_id = ${customerId} order by id`.execute(ctx.db.primary);
      return r.rows.map((a) => ({
        id: a.id,
        ...JSON.parse(c().decrypt(a.data_enc, 'customer_addresses.data')),
      }));
    },

    async addAddress(customerId: string, address: Omit<Address, 'id'>): Promise<Address> {
      const id = newId('addr');
      const now = ctx.clock.now();
      await sql`insert into identity.customer_addresses (id, customer_id, data_enc, created_at, updated_at)
        values (${id}, ${customerId}, ${c().encrypt(JSON.stringify(address), 'customer_addresses.data')}, ${now}, ${now})`.execute(
        ctx.db.primary,
      );
      return { id, ...address };
    },

    /** Replaces the customer's own address; null when it is not theirs (the route answers 404). */
    async replaceAddress(
      customerId: string,
      id: string,
      address: Omit<Address, 'id'>,
    ): Promise<Address | null> {
      const r =
        await sql`update identity.customer_addresses set data_enc = ${c().encrypt(JSON.stringify(address), 'customer_addresses.data')},
          updated_at = ${ctx.clock.now()} where id = ${id} and customer_id = ${customerId}`.execute(
          ctx.db.primary,
        );
      return Number(r.numAffectedRows ?? 0) === 1 ? { id, ...address } : null;
    },

    async deleteAddress(customerId: string, id: string): Promise<boolean> {
      const r =
        await sql`delete from identity.customer_addresses where id = ${id} and customer_id = ${customerId}`.execute(
          ctx.db.primary,
        );
      return Number(r.numAffectedRows ?? 0) === 1;
    },
  };
}

export type Customers = ReturnType<typeof createCustomers>;
