import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from './create-logger.ts';

function capture(): { logger: Logger; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => chunks.push(line) } });
  return {
    logger,
    raw: () => chunks.join(''),
    lines: () => chunks.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with a level label, an ISO time and the message', () => {
    const { logger, lines } = capture();
    logger.info({ order_id: 'ord_1' }, 'order placed');
    expect(lines()[0]).toMatchObject({ level: 'info', order_id: 'ord_1', msg: 'order placed' });
    expect(lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts passwords, credentials and card fields at any depth, in any case style', () => {
    const { logger, raw, lines } = capture();
    const body = {
      email: 'a@example.com',
      password: 'hunter2',
      payment: { card: { number: '4242424242424242', cvc: '123', exp_month: 12 } },
      headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', 'x-api-key': 'k1', 'user-agent': 'ua' },
      clientSecret: 's3',
      tokens: [{ access_token: 'at', refresh_token: 'rt' }],
    };
    logger.info({ body }, 'received');

    expect(lines()[0]?.body).toEqual({
      email: 'a@example.com',
      password: '[redacted]',
      payment: { card: { number: '[redacted]', cvc: '[redacted]', exp_month: 12 } },
      headers: {
        authorization: '[redacted]',
        cookie: '[redacted]',
        'x-api-key': '[redacted]',
        'user-agent': 'ua',
      },
      clientSecret: '[redacted]',
      tokens: [{ access_token: '[redacted]', refresh_token: '[redacted]' }],
    });
    for (const secret of ['hunter2', '4242424242424242', 'Bearer', 'sid=1', 'k1', '"s3"', '"at"', '"rt"']) {
      expect(raw()).not.toContain(secret);
    }
    expect(body.password).toBe('hunter2');
  });

  it('redacts child logger bindings too', () => {
    const { logger, raw } = capture();
    logger.child({ token: 'tok_secret' }).info('hello');
    expect(raw()).not.toContain('tok_secret');
  });

  it('masks card numbers in messages, interpolated arguments and fields', () => {
    const { logger, lines, raw } = capture();
    logger.info('charging 4242 4242 4242 4242 for %s', 'order 4000-0000-0000-0002');
    logger.warn({ note: 'customer typed 4000000000009995 in the name field', id: 4242424242424242 }, 'odd');
    expect(lines()[0]?.msg).toBe('charging •••• 4242 for order •••• 0002');
    expect(lines()[1]).toMatchObject({ note: 'customer typed •••• 9995 in the name field', id: '•••• 4242' });
    expect(raw()).not.toMatch(/4242 ?4242|4000000000009995/);
  });

  it('masks card numbers in error messages, stacks and causes, and redacts error fields', () => {
    const { logger, raw, lines } = capture();
    const err = new Error('insert failed for\n4242424242424242', {
      cause: new Error('value 4000000000000002 rejected'),
    });
    Object.assign(err, { config: { headers: { authorization: 'Bearer zzz' } } });
    logger.error({ err }, 'boom');

    const logged = lines()[0]?.err as Record<string, unknown>;
    expect(logged.message).toContain('•••• 4242');
    expect(logged.stack).toContain('•••• 4242');
    expect(logged.config).toEqual({ headers: { authorization: '[redacted]' } });
    expect(raw()).not.toMatch(/4242424242424242|4000000000000002|Bearer zzz/);
  });

  it('masks passwords in URLs', () => {
    const { logger, lines } = capture();
    logger.error('cannot reach postgres://app:s3cr3t@db:5432/shop');
    expect(lines()[0]?.msg).toBe('cannot reach postgres://app:[redacted]@db:5432/shop');
  });

  it('logs requests without headers and with sensitive query values redacted', () => {
    const { logger, lines } = capture();
    const req = {
      method: 'GET',
      url: '/auth/callback?code=abc&state=s1&token=t',
      ip: '127.0.0.1',
      headers: { authorization: 'Bearer x' },
    };
    logger.info({ req }, 'incoming request');
    expect(lines()[0]?.req).toEqual({
      method: 'GET',
      url: '/auth/callback?code=[redacted]&state=s1&token=[redacted]',
      remote_address: '127.0.0.1',
    });
  });
});
