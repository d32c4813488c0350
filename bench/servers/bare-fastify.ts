// The baseline of every benchmark: a bare Fastify route answering a JSON body of a given size,
// in its own process like the server under test. Usage: bare-fastify.ts PORT BODY_BYTES
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const bytes = Number(process.argv[3] ?? 2000);
const body = JSON.stringify({ data: 'x'.repeat(Math.max(0, bytes - 11)) });
const app = Fastify({ logger: false });
app.get('/bare', (_request, reply) => reply.type('application/json').send(body));
// The same answer under any name, so a scenario rotating through many URLs (product pages) gets a
// baseline measured with the same client work per request.
app.get('/bare/:name', (_request, reply) => reply.type('application/json').send(body));
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`ready ${port}\n`);
