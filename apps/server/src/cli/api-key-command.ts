import { parseArgs } from 'node:util';
import type { PlatformConfig } from '@emporium/platform';
import { rolesFrom, withIdentity } from './identity-cli.ts';
import { EXIT, say, UsageError } from './output.ts';

/**
 * `emporium api-key create --name N --role R [--json]`: an integration credential for the OAuth 2.0
 * client-credentials grant at /auth/token. The secret is printed once and stored only as a hash.
 */
export async function runApiKey(config: PlatformConfig, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError('api-key needs a subcommand: api-key create --name N --role R');
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name || name.length > 100) throw new UsageError('api-key create needs --name N (1 to 100 characters)');
  const roles = rolesFrom(values.role ?? []);
  if (roles.length === 0)
    throw new UsageError(
      'api-key create needs --role R (owner, admin, catalog_manager, order_manager, support)',
    );
  return withIdentity(config, async (identity) => {
    try {
      const { client, clientSecret } = await identity.apiClients.create({ name, roles });
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ client_id: client.clientId, client_secret: clientSecret })}\n`,
        );
      } else {
        process.stdout.write(
          `Created API key "${name}" (${roles.join(', ')}).\n  client_id:     ${client.clientId}\n  client_secret: ${clientSecret}\n` +
            'The secret is shown only now. Get tokens with the client-credentials grant at /auth/token.\n',
        );
      }
      return EXIT.ok;
    } catch (err) {
      if ((err as { code?: string }).code === 'unknown_role') {
        say(`emporium: ${(err as Error).message}`);
        return EXIT.failure;
      }
      throw err;
    }
  });
}
