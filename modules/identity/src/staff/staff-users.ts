import { randomBytes } from 'node:crypto';
import { AppError, conflict, newId, rolePermissions } from '@emporium/platform';
import { sql } from 'kysely';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import { sha256 } from '../crypto/field-crypto.ts';
import { weakPassword } from '../errors.ts';
import type { IdentityContext } from '../identity-context.ts';
import { checkPassword, hashPassword, MIN_STAFF_PASSWORD, passwordProblem } from '../passwords/passwords.ts';

export const STAFF_ROLES = Object.keys(rolePermissions);
export const MAX_FAILED_LOGINS = 10;
export const LOCKOUT_MS = 30 * 60_000;
const RECOVERY_CODES = 10;
const TOTP_ISSUER = 'Emporium';

export interface StaffUser {
  id: string;
  email: string;
  roles: string[];
  mfa: { totp: boolean; passkeys: number };
  lockedUntil: Date | null;
  createdAt: Date;
}

export interface NewStaffCredentials {
  user: StaffUser;
  /** otpauth:// URI for an authenticator app; shown once. */
  totpUri: string;
  /** One-time recovery codes; shown once, stored hashed. */
  recoveryCodes: string[];
}

export type PasswordLoginResult =
  | { outcome: 'ok'; userId: string }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; until: Date };

interface StaffRow {
  id: string;
  email_enc: string;
  password_hash: string;
  roles: string[];
  totp_secret_enc: string | null;
  totp_last_step: string | number | null;
  failed_logins: number;
  locked_until: Date | null;
  disabled: boolean;
  created_at: Date;
  passkeys?: number;
}

export function checkRoles(roles: readonly string[]): void {
  const unknown = roles.filter((r) => !STAFF_ROLES.includes(r));
  if (roles.length === 0 || unknown.length > 0) {
    throw new AppError(
      'unknown_role',
      422,
      `Roles must be one or more of ${STAFF_ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
    );
  }
}

/** Staff accounts: password (≥ 12), mandatory TOTP with replay protection, recovery codes, lockout. */
export function createStaffUsers(ctx: IdentityContext) {
  const toUser = (row: StaffRow): StaffUser => ({
    id: row.id,
    email: ctx.crypto().decrypt(row.email_enc, 'staff_users.email'),
    roles: row.roles,
    mfa: { totp: row.totp_secret_enc !== null, passkeys: Number(row.passkeys ?? 0) },
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  });

  const byId = async (id: string): Promise<StaffRow | undefined> =>
    (
      await sql<StaffRow>`select u.*, (select count(*) from identity.staff_passkeys p where p.user_id = u.id)::int as passkeys
        from identity.staff_users u where id = ${id}`.execute(ctx.db.primary)
    ).rows[0];

  const newMfa = () => {
    const secret = generateSecret();
    const codes = Array.from({ length: RECOVERY_CODES }, () =>
      randomBytes(10)
        .toString('hex')
        .replace(/(.{5})/g, '$1-')
        .slice(0, -1),
    );
    return { secret, codes };
  };

  const writeMfa = async (
    trx: Parameters<Parameters<IdentityContext['db']['transaction']>[0]>[0],
    userId: string,
    secret: string,
    codes: string[],
  ) => {
    await sql`update identity.staff_users set totp_secret_enc = ${ctx.crypto().encrypt(secret, 'staff_users.totp')},
      totp_last_step = null, updated_at = ${ctx.clock.now()} where id = ${userId}`.execute(trx);
    await sql`delete from identity.staff_recovery_codes where user_id = ${userId}`.execute(trx);
    await sql`delete from identity.staff_passkeys where user_id = ${userId}`.execute(trx);
    for (const code of codes) {
      await sql`insert into identity.staff_recovery_codes (user_id, code_hash) values (${userId}, ${sha256(code)})`.execute(
        trx,
      );
    }
  };

  const uri = (email: string, secret: string) => generateURI({ issuer: TOTP_ISSUER, label: email, secret });

  return {
    async create(input: { email: string; password: string; roles: string[] }): Promise<NewStaffCredentials> {
      checkRoles(input.roles);
      const problem = passwordProblem(input.password, MIN_STAFF_PASSWORD);
      if (problem) throw weakPassword(problem);
      const c = ctx.crypto();
      const id = newId('usr');
      const now = ctx.clock.now();
      const passwordHash = await hashPassword(input.password);
      const { secret, codes } = newMfa();
      const email = input.email.trim();
      await ctx.db.transaction(async (trx) => {
        const inserted = await sql`insert into identity.staff_users
            (id, email_hash, email_enc, password_hash, roles, created_at, updated_at)
          values (${id}, ${c.emailHash(email)}, ${c.encrypt(email, 'staff_users.email')}, ${passwordHash},
            ${sql`${input.roles}::text[]`}, ${now}, ${now})
          on conflict (email_hash) do nothing`.execute(trx);
        if (Number(inserted.numAffectedRows ?? 0) === 0) {
          throw conflict('staff_exists', 'A staff user with this email already exists.');
        }
        await writeMfa(trx, id, secret, codes);
      });
      const row = await byId(id);
      if (!row) throw new Error('staff user vanished after insert');
      return { user: toUser(row), totpUri: uri(email, secret), recoveryCodes: codes };
    },

    async get(id: string): Promise<StaffUser | null> {
      const row = await byId(id);
      return row && !row.disabled ? toUser(row) : null;
    },

    async list(options: {
      limit: number;
      cursor?: string | undefined;
    }): Promise<{ data: StaffUser[]; nextCursor: string | null }> {
      const rows =
        await sql<StaffRow>`select u.*, (select count(*) from identity.staff_passkeys p where p.user_id = u.id)::int as passkeys
        from identity.staff_users u where not disabled and id > ${options.cursor ?? ''} order by id limit ${options.limit + 1}`.execute(
          ctx.db.primary,
        );
      const page = rows.rows.slice(0, options.limit);
      return {
        data: page.map(toUser),
        nextCursor: rows.rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },

    async setRoles(id: string, roles: string[]): Promise<StaffUser | null> {
      checkRoles(roles);
      await sql`update identity.staff_users set roles = ${sql`${roles}::text[]`}, updated_at = ${ctx.clock.now()}
        where id = ${id} and not disabled`.execute(ctx.db.primary);
      return this.get(id);
    },

    /** Replaces the TOTP secret and recovery codes and removes passkeys; the new enrolment is shown once. */
    async resetMfa(id: string): Promise<NewStaffCredentials | null> {
      const row = await byId(id);
      if (!row || row.disabled) return null;
      const { secret, codes } = newMfa();
      await ctx.db.transaction((trx) => writeMfa(trx, id, secret, codes));
      const user = toUser(row);
      return {
        user: { ...user, mfa: { totp: true, passkeys: 0 } },
        totpUri: uri(user.email, secret),
        recoveryCodes: codes,
      };
    },

    /**
     * First factor. Unknown emails cost the same (a dummy hash) and answer the same as a wrong
     * password. After MAX_FAILED_LOGINS failures in a row the account locks for LOCKOUT_MS.
     */
    async passwordLogin(email: string, password: string): Promise<PasswordLoginResult> {
      const row = (
        await sql<StaffRow>`select * from identity.staff_users where email_hash = ${ctx.crypto().emailHash(email)}`.execute(
          ctx.db.primary,
        )
      ).rows[0];
      const usable = row && !row.disabled ? row : undefined;
      const ok = await checkPassword(usable?.password_hash, password);
      if (!usable) return { outcome: 'invalid' };
      const now = ctx.clock.now();
      if (usable.locked_until && usable.locked_until > now)
        return { outcome: 'locked', until: usable.locked_until };
      if (!ok) return recordFailure(usable.id);
      return { outcome: 'ok', userId: usable.id };
    },

    /**
     * Second factor: a TOTP code (RFC 6238, ±1 step) not used before — the accepted step is stored
     * and a code of that step or an earlier one is refused — or an unused recovery code. A wrong
     * code counts towards the lockout; success clears the failure count.
     */
    async verifySecondFactor(userId: string, code: string): Promise<'ok' | 'invalid' | 'locked'> {
      const row = await byId(userId);
      if (!row || row.disabled) return 'invalid';
      const now = ctx.clock.now();
      if (row.locked_until && row.locked_until > now) return 'locked';
      const trimmed = code.replace(/\s/g, '');
      if (/^\d{6}$/.test(trimmed) && row.totp_secret_enc) {
        const secret = ctx.crypto().decrypt(row.totp_secret_enc, 'staff_users.totp');
        const last = row.totp_last_step === null ? undefined : Number(row.totp_last_step);
        const result = await verifyTotp({
          secret,
          token: trimmed,
          epoch: Math.floor(now.getTime() / 1000),
          epochTolerance: 30,
          ...(last === undefined ? {} : { afterTimeStep: last }),
        }).catch(() => ({ valid: false as const }));
        if (result.valid && 'timeStep' in result) {
          // Conditional: of two requests racing with the same code, one wins.
          const won =
            await sql`update identity.staff_users set totp_last_step = ${result.timeStep}, failed_logins = 0,
              locked_until = null, updated_at = ${now}
            where id = ${userId} and (totp_last_step is null or totp_last_step < ${result.timeStep})`.execute(
              ctx.db.primary,
            );
          if (Number(won.numAffectedRows ?? 0) === 1) return 'ok';
        }
      } else if (/^[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}$/.test(trimmed.toLowerCase())) {
        const used = await sql`update identity.staff_recovery_codes set used_at = ${now}
          where user_id = ${userId} and code_hash = ${sha256(trimmed.toLowerCase())} and used_at is null`.execute(
          ctx.db.primary,
        );
        if (Number(used.numAffectedRows ?? 0) === 1) {
          await sql`update identity.staff_users set failed_logins = 0, locked_until = null where id = ${userId}`.execute(
            ctx.db.primary,
          );
          return 'ok';
        }
      }
      const failure = await recordFailure(userId);
      return failure.outcome === 'locked' ? 'locked' : 'invalid';
    },

    /** A new sign-in email; null when the user is gone, 409 `staff_exists` when another has it. */
    async changeEmail(id: string, email: string): Promise<StaffUser | null> {
      const c = ctx.crypto();
      const trimmed = email.trim();
      const taken = await sql<{
        id: string;
      }>`select id from identity.staff_users where email_hash = ${c.emailHash(trimmed)}`.execute(
        ctx.db.primary,
      );
      if (taken.rows[0] && taken.rows[0].id !== id) {
        throw conflict('staff_exists', 'A staff user with this email already exists.');
      }
      try {
        await sql`update identity.staff_users set email_hash = ${c.emailHash(trimmed)},
            email_enc = ${c.encrypt(trimmed, 'staff_users.email')}, updated_at = ${ctx.clock.now()}
          where id = ${id} and not disabled`.execute(ctx.db.primary);
      } catch (err) {
        // Two changes racing for the same address: the unique index decides.
        if ((err as { code?: string }).code === '23505') {
          throw conflict('staff_exists', 'A staff user with this email already exists.');
        }
        throw err;
      }
      return this.get(id);
    },

    /** Whether the account is locked out now (failed logins). */
    async isLocked(userId: string): Promise<boolean> {
      const row = await byId(userId);
      return !row || row.disabled || (row.locked_until !== null && row.locked_until > ctx.clock.now());
    },

    /** A failed second factor other than a code (a passkey): it counts towards the lockout too. */
    async failSecondFactor(userId: string): Promise<'invalid' | 'locked'> {
      const failure = await recordFailure(userId);
      return failure.outcome === 'locked' ? 'locked' : 'invalid';
    },

    /** A second factor other than a code succeeded: the failure count starts again. */
    async clearFailures(userId: string): Promise<void> {
      await sql`update identity.staff_users set failed_logins = 0, locked_until = null where id = ${userId}`.execute(
        ctx.db.primary,
      );
    },

    async roles(id: string): Promise<string[]> {
      return (await byId(id))?.roles ?? [];
    },
  };

  async function recordFailure(userId: string): Promise<PasswordLoginResult> {
    const now = ctx.clock.now();
    const r = await sql<{ failed_logins: number; locked_until: Date | null }>`
      update identity.staff_users set
        failed_logins = case when failed_logins + 1 >= ${MAX_FAILED_LOGINS} then 0 else failed_logins + 1 end,
        locked_until = case when failed_logins + 1 >= ${MAX_FAILED_LOGINS} then ${new Date(now.getTime() + LOCKOUT_MS)} else locked_until end,
        updated_at = ${now}
      where id = ${userId} returning failed_logins, locked_until`.execute(ctx.db.primary);
    const row = r.rows[0];
    if (row?.locked_until && row.locked_until > now) return { outcome: 'locked', until: row.locked_until };
    return { outcome: 'invalid' };
  }
}

export type StaffUsers = ReturnType<typeof createStaffUsers>;
