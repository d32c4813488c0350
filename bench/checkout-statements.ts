// Counts the SQL statements and transactions one checkout sends to PostgreSQL (issue 4): starts the
// shipped server on a fresh database with `log_statement = 'all'`, prepares one cart, and reads the
// statements PostgreSQL logged while the checkout request ran. A diagnostic for the checkout
// benchmark (each statement is a round trip; on this machine a round trip costs more than the SQL).
//
//   node bench/checkout-statements.ts [--log /var/log/postgresql/postgresql-15-main.log]
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmporium } from '@emporium/testkit';
import { address, fetchHttp, quickCart, tokenize } from '../modules/checkout/test/support/shopper.ts';
import { freshCheckoutStore } from './lib/scratch-database.ts';

const { values } = parseArgs({
  options: {
    admin: {
      type: 'string',
      default: process.env.BENCH_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
    verbose: { type: 'boolean', default: false },
  },
});
const name = 'emporium_bench_statements';
const { url, variantIds } = await freshCheckoutStore(values.admin ?? '', name, {
  products: 1,
  stock: 1000,
  settings: { log_statement: 'all' },
});
const server = await startEmporium({
  DATABASE_URL: url,
  LOG_LEVEL: 'warn',
  EMPORIUM_RATE_LIMITS: 'off',
  EMPORIUM_DEMO: '0',
  EMPORIUM_TEST_PROCESSOR_LATENCY_MS: '0',
  VAULT_KEK: randomBytes(32).toString('base64'),
});
try {
  const http = fetchHttp(server.baseUrl);
  const probe = await http('POST', '/store/carts', {
    body: { currency_code: 'usd', shipping_address: address },
  });
  const options = await http('GET', `/store/carts/${probe.body.cart.id}/shipping-options`, {
    headers: { authorization: `Bearer ${probe.body.secret}` },
  });
  const cart = await quickCart(http, variantIds[0] ?? '', options.body.data?.[0]?.id ?? '');
  const token = await tokenize(http);
  const log = values.log ?? '';
  const before = statSync(log).size;
  const res = await http('POST', `/store/carts/${cart.cartId}/checkout`, {
    headers: { ...cart.auth, 'idempotency-key': randomUUID() },
    body: { shipping_option_id: cart.shippingOptionId, payment: { token } },
  });
  await new Promise((r) => setTimeout(r, 1500));
  // From the byte where the log ended before the request (a character offset would drift on
  // multi-byte characters and skip the request's first statements).
  const lines = readFileSync(log).subarray(before).toString('utf8').split('\n');
  const statements = lines
    .filter((l) => l.includes(`@${name} `) && /LOG:\s+(statement|execute)/.test(l))
    .map((l) => l.replace(/^.*?LOG:\s+/, ''));
  const begins = statements.filter((s) => /:\s*begin\b/i.test(s)).length;
  console.log(`checkout answered ${res.status}; ${statements.length} statements, ${begins} transactions`);
  if (values.verbose) for (const s of statements) console.log(`  ${s.slice(0, 160)}`);
} finally {
  await server.stop();
}
