import { describe, expect, it } from 'vitest';
import { isSensitiveKey, maskUrlCredentials, redactSensitive, redactUrl } from './redact-sensitive.ts';

describe('isSensitiveKey', () => {
  it('matches every case style of a sensitive name, and nothing else', () => {
    for (const key of [
      'password',
      'clientSecret',
      'CLIENT_SECRET',
      'x-api-key',
      'Set-Cookie',
      'card_number',
    ]) {
      expect(isSensitiveKey(key)).toBe(true);
    }
    for (const key of ['email', 'exp_month', 'last4', 'code', 'token_type_hint']) {
      expect(isSensitiveKey(key)).toBe(false);
    }
  });
});

describe('redactSensitive', () => {
  it('shares untouched branches and leaves class instances alone', () => {
    const untouched = { a: 1 };
    const date = new Date(0);
    const input = { untouched, date, nested: { secret: 's' } };
    const output = redactSensitive(input);
    expect(output).toEqual({ untouched, date, nested: { secret: '[redacted]' } });
    expect(output.untouched).toBe(untouched);
    expect(output.date).toBe(date);
    expect(input.nested.secret).toBe('s');
  });

  it('survives circular structures', () => {
    const loop: Record<string, unknown> = { password: 'p' };
    loop.self = loop;
    expect(redactSensitive(loop).password).toBe('[redacted]');
  });
});

describe('redactUrl', () => {
  it('redacts sensitive query values, including encoded names and OAuth codes', () => {
    expect(redactUrl('/auth/token?grant_type=x&client%5Fsecret=s&code=c&limit=5')).toBe(
      '/auth/token?grant_type=x&client%5Fsecret=[redacted]&code=[redacted]&limit=5',
    );
    expect(redactUrl('/store/products')).toBe('/store/products');
  });
});

describe('maskUrlCredentials', () => {
  it('masks the password of URLs and keeps the rest', () => {
    expect(maskUrlCredentials('postgres://app:pa55@db:5432/shop and redis://:s3cret@cache')).toBe(
      'postgres://app:[redacted]@db:5432/shop and redis://:[redacted]@cache',
    );
    expect(maskUrlCredentials('https://example.com/a@b')).toBe('https://example.com/a@b');
  });
});
