// The server under test: the monolith exactly as `emporium start` builds it, plus a JWT
// authenticator trusting the benchmark's own key (BENCH_JWK, a public JWK) so that the admin
// list can be measured before the identity module exists. Settings come from the environment.

import { createJwtAuthenticator, createLogger, loadPlatformConfig } from '@emporium/platform';
import { buildServer, openRuntime } from '@emporium/server';
import { importJWK } from 'jose';

const config = loadPlatformConfig();
const logger = createLogger({ level: config.logLevel });
const runtime = await openRuntime(config, logger);
const jwk = JSON.parse(process.env.BENCH_JWK ?? '{}');
const { app } = await buildServer(runtime, {
  authenticator: createJwtAuthenticator({
    issuer: 'https://bench.emporium',
    audience: 'emporium-api',
    keys: await importJWK(jwk, 'ES256'),
  }),
});
await runtime.bus.start();
await app.listen({ port: config.port, host: config.host });
process.stdout.write(`ready ${config.port}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => runtime.close())
    .then(() => process.exit(0));
});
