import { parseArgs } from 'node:util';
import type { PlatformConfig } from '@emporium/platform';
import { readStdin, rolesFrom, withIdentity } from './identity-cli.ts';
import { EXIT, say, UsageError } from './output.ts';

/**
 * `emporium admin create --email E --role R [--json]`: bootstraps a staff user. The password comes
 * from standard input (never an argument, which other users of the machine can see); the TOTP
 * enrolment URI and recovery codes are printed once.
 */
export async function runAdmin(config: PlatformConfig, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError('admin needs a subcommand: admin create --email E --role R');
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      role: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.email) throw new UsageError('admin create needs --email E');
  const roles = rolesFrom(values.role ?? []);
  if (roles.length === 0)
    throw new UsageError(
      'admin create needs --role R (owner, admin, catalog_manager, order_manager, support)',
    );
  const password = await readStdin();
  if (!password)
    throw new UsageError('admin create reads the password from standard input, and it was empty');
  return withIdentity(config, async (identity) => {
    try {
      const created = await identity.staff.create({ email: values.email ?? '', password, roles });
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ id: created.user.id, totp_uri: created.totpUri, recovery_codes: created.recoveryCodes })}\n`,
        );
      } else {
        process.stdout.write(
          `Created staff user ${created.user.id} (${roles.join(', ')}).\n` +
            `Add this to an authenticator app (shown once):\n  ${created.totpUri}\n` +
            `Recovery codes (each works once; keep them safe):\n  ${created.recoveryCodes.join('\n  ')}\n`,
        );
      }
      return EXIT.ok;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'weak_password' || code === 'staff_exists' || code === 'unknown_role') {
        say(`emporium: ${(err as Error).message}`);
        return EXIT.failure;
      }
      throw err;
    }
  });
}
