import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '@emporium/platform';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { sql } from 'kysely';
import { passkeyRejected } from '../errors.ts';
import type { IdentityContext } from '../identity-context.ts';
import type { StaffUsers } from './staff-users.ts';

/** How long a registration or sign-in challenge can be answered. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_PASSKEYS = 10;
/** EdDSA, ES256, RS256: what authenticators commonly offer and the library verifies. */
const ALGORITHMS = [-8, -7, -257];

export interface Passkey {
  /** The credential id (base64url). */
  id: string;
  name: string;
  transports: string[];
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type PasskeySignIn =
  | { outcome: 'ok'; credentialId: string; userVerified: boolean }
  | { outcome: 'invalid'; reason: string; credentialId: string | null }
  | { outcome: 'locked'; credentialId: string | null };

interface PasskeyRow {
  id: string;
  user_id: string;
  public_key: string;
  counter: string | number;
  transports: string[];
  name: string;
  backed_up: boolean;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id,
  name: r.name,
  transports: r.transports,
  backedUp: r.backed_up,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** The challenge a browser signed, read from the (not yet verified) clientDataJSON. */
function challengeOf(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4096) return null;
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof data.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(data.challenge)
      ? data.challenge
      : null;
  } catch {
    return null;
  }
}

/**
 * Staff passkeys (WebAuthn, with @simplewebauthn/server): registration for a signed-in staff
 * member and assertion as the second factor of a sign-in. The relying party is the issuer: its
 * host name is the RP ID and its origin the only accepted origin. Every challenge is made here,
 * stored server-side for CHALLENGE_TTL_MS and consumed by the first answer that names it (right
 * or wrong), so an answer can never be replayed.
 */
export function createStaffPasskeys(
  ctx: IdentityContext,
  staff: StaffUsers,
  relyingParty: { origin: string },
) {
  const origin = new URL(relyingParty.origin).origin;
  const rpID = new URL(origin).hostname;

  const store = async (
    challenge: string,
    userId: string,
    purpose: 'registration' | 'authentication',
    interactionUid: string | null,
  ) => {
    const now = ctx.clock.now();
    await sql`delete from identity.webauthn_challenges where expires_at < ${new Date(now.getTime() - 3600_000)}`.execute(
      ctx.db.primary,
    );
    await sql`insert into identity.webauthn_challenges (challenge, user_id, purpose, interaction_uid, expires_at, created_at)
      values (${challenge}, ${userId}, ${purpose}, ${interactionUid}, ${new Date(now.getTime() + CHALLENGE_TTL_MS)}, ${now})`.execute(
      ctx.db.primary,
    );
  };

  /** Marks the challenge used if it is this user's, of this purpose (and sign-in), unused and unexpired. */
  const consume = async (
    challenge: string,
    userId: string,
    purpose: 'registration' | 'authentication',
    interactionUid: string | null,
  ): Promise<boolean> => {
    const now = ctx.clock.now();
    const r = await sql`update identity.webauthn_challenges set used_at = ${now}
      where challenge = ${challenge} and user_id = ${userId} and purpose = ${purpose}
        and interaction_uid is not distinct from ${interactionUid} and used_at is null and expires_at > ${now}`.execute(
      ctx.db.primary,
    );
    return Number(r.numAffectedRows ?? 0) === 1;
  };

  const rows = async (userId: string): Promise<PasskeyRow[]> =>
    (
      await sql<PasskeyRow>`select * from identity.staff_passkeys where user_id = ${userId} order by created_at, id`.execute(
        ctx.db.primary,
      )
    ).rows;

  return {
    rpID,
    origin,

    async list(userId: string): Promise<Passkey[]> {
      return (await rows(userId)).map(toPasskey);
    },

    /** Options for `navigator.credentials.create`; the user's own passkeys are excluded. */
    async registrationOptions(userId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const user = await staff.get(userId);
      if (!user) throw notFound('Your staff account');
      const existing = await rows(userId);
      if (existing.length >= MAX_PASSKEYS) {
        throw conflict('too_many_passkeys', `You have ${MAX_PASSKEYS} passkeys already: remove one first.`);
      }
      const challenge = randomBytes(32).toString('base64url');
      const options = await generateRegistrationOptions({
        rpName: 'Emporium',
        rpID,
        userName: user.email,
        userDisplayName: user.email,
        userID: new TextEncoder().encode(userId),
        challenge: Buffer.from(challenge, 'base64url'),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      await store(options.challenge, userId, 'registration', null);
      return options;
    },

    /**
     * Verifies a registration answer against the challenge it names (this user's, unused, not
     * expired), the issuer's origin and RP ID, then stores the credential.
     */
    async register(
      userId: string,
      input: { name: string; response: RegistrationResponseJSON },
    ): Promise<Passkey> {
      const challenge = challengeOf(input.response.response?.clientDataJSON);
      if (!challenge || !(await consume(challenge, userId, 'registration', null))) {
        throw passkeyRejected(
          'This passkey request has expired or was already answered. Start adding the passkey again.',
        );
      }
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verified = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        });
      } catch (err) {
        ctx.logger.info({ reason: (err as Error).message }, 'identity: passkey registration refused');
        throw passkeyRejected(
          'The passkey could not be verified: it was made for another site or its answer is malformed. Try again.',
        );
      }
      if (!verified.verified) throw passkeyRejected('The passkey could not be verified. Try again.');
      const info = verified.registrationInfo;
      const now = ctx.clock.now();
      const name = input.name.trim() || 'Passkey';
      const inserted = await sql`insert into identity.staff_passkeys
          (id, user_id, public_key, counter, transports, name, backed_up, created_at)
        values (${info.credential.id}, ${userId}, ${Buffer.from(info.credential.publicKey).toString('base64url')},
          ${info.credential.counter}, ${sql`${info.credential.transports ?? []}::text[]`}, ${name},
          ${info.credentialBackedUp}, ${now})
        on conflict (id) do nothing`.execute(ctx.db.primary);
      if (Number(inserted.numAffectedRows ?? 0) === 0) {
        throw passkeyRejected('This passkey is registered already.');
      }
      return {
        id: info.credential.id,
        name,
        transports: info.credential.transports ?? [],
        backedUp: info.credentialBackedUp,
        createdAt: now,
        lastUsedAt: null,
      };
    },

    /** Removes one of the user's own passkeys; false when it is not theirs (or gone). */
    async remove(userId: string, credentialId: string): Promise<boolean> {
      const r =
        await sql`delete from identity.staff_passkeys where id = ${credentialId} and user_id = ${userId}`.execute(
          ctx.db.primary,
        );
      return Number(r.numAffectedRows ?? 0) === 1;
    },

    /** Options for `navigator.credentials.get` at a sign-in's second step; null without passkeys. */
    async authenticationOptions(
      userId: string,
      interactionUid: string,
    ): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
      const existing = await rows(userId);
      if (existing.length === 0) return null;
      const challenge = randomBytes(32).toString('base64url');
      const options = await generateAuthenticationOptions({
        rpID,
        challenge: Buffer.from(challenge, 'base64url'),
        timeout: CHALLENGE_TTL_MS,
        userVerification: 'preferred',
        allowCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
      });
      await store(options.challenge, userId, 'authentication', interactionUid);
      return options;
    },

    /**
     * The second factor by passkey: the answer must name a challenge made for this user and this
     * sign-in, come from one of the user's own credentials, be signed for the issuer's origin and
     * RP ID, and carry a signature counter above the stored one (unless the authenticator keeps
     * none, both 0) — a lower or equal counter means a cloned authenticator or a replay. A failure
     * counts towards the lockout like a wrong code.
     */
    async authenticate(userId: string, interactionUid: string, answer: unknown): Promise<PasskeySignIn> {
      // The browser's answer, as posted: checked for its shape here, then in full by the library.
      const response = (
        typeof answer === 'object' && answer !== null ? answer : {}
      ) as AuthenticationResponseJSON;
      const credentialId = typeof response.id === 'string' ? response.id.slice(0, 1024) : null;
      if (await staff.isLocked(userId)) return { outcome: 'locked', credentialId };
      const fail = async (reason: string): Promise<PasskeySignIn> =>
        (await staff.failSecondFactor(userId)) === 'locked'
          ? { outcome: 'locked', credentialId }
          : { outcome: 'invalid', reason, credentialId };
      const challenge = challengeOf(response.response?.clientDataJSON);
      if (!challenge || !(await consume(challenge, userId, 'authentication', interactionUid))) {
        return fail('unknown, used or expired challenge');
      }
      const row = credentialId
        ? (
            await sql<PasskeyRow>`select * from identity.staff_passkeys where id = ${credentialId} and user_id = ${userId}`.execute(
              ctx.db.primary,
            )
          ).rows[0]
        : undefined;
      if (!row) return fail('not a credential of this user');
      let newCounter: number;
      let userVerified: boolean;
      try {
        const v = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          credential: {
            id: row.id,
            publicKey: Buffer.from(row.public_key, 'base64url'),
            counter: Number(row.counter),
            transports: row.transports,
          },
          requireUserVerification: false,
        });
        if (!v.verified) return fail('signature not verified');
        newCounter = v.authenticationInfo.newCounter;
        userVerified = v.authenticationInfo.userVerified;
      } catch (err) {
        return fail((err as Error).message.slice(0, 200));
      }
      // Conditional: of two answers racing with the same counter, one wins.
      const won =
        await sql`update identity.staff_passkeys set counter = ${newCounter}, last_used_at = ${ctx.clock.now()}
        where id = ${row.id} and (counter < ${newCounter} or (counter = 0 and ${newCounter}::bigint = 0))`.execute(
          ctx.db.primary,
        );
      if (Number(won.numAffectedRows ?? 0) !== 1) return fail('signature counter did not advance');
      await staff.clearFailures(userId);
      return { outcome: 'ok', credentialId: row.id, userVerified };
    },
  };
}

export type StaffPasskeys = ReturnType<typeof createStaffPasskeys>;
