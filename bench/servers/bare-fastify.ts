// The baseline of every benchmark: a bare Fastify route answering a JSON body of a given size,
// in its own process like the server under test. Usage: bare-fastify.ts PORT BODY_BYTES [HEADERS]
// where HEADERS, if given, is a JSON object of response headers to add to every answer (the
// catalog bench's reference route sends the product page's own headers, to show what they cost).
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const bytes = Number(process.argv[3] ?? 2000);
const headers = JSON.parse(process.argv[4] ?? '{}') as Record<string, string>;
const body = JSON.stringify({ data: 'x'.repeat(Math.max(0, bytes - 11)) });
const app = Fastify({ logger: false });
const answer = (_request: unknown, reply: import('fastify').FastifyReply) =>
  reply.headers(headers).type('application/json').send(body);
app.get('/bare', answer);
// The same answer under any name, so a scenario rotating through many URLs (product pages) gets a
// baseline measured with the same client work per request.
app.get('/bare/:name', answer);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`ready ${port}\n`);
