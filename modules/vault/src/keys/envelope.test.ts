import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyIdOf, newKey, open, seal, unwrapKey, wrapKey } from './envelope.ts';

describe('envelope encryption', () => {
  it('round-trips any plaintext under a data key wrapped by a KEK', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 30 }), (bytes, record) => {
        const kek = newKey();
        const dataKey = newKey();
        const wrapped = wrapKey(kek, keyIdOf(kek), dataKey, record);
        const sealed = seal(dataKey, Buffer.from(bytes), record);
        const back = open(unwrapKey(kek, keyIdOf(kek), wrapped, record), sealed, record);
        expect([...back]).toEqual([...bytes]);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses another key, another record or a flipped bit', () => {
    const key = newKey();
    const sealed = seal(key, Buffer.from('4242424242424242'), 'tok_a');
    expect(() => open(newKey(), sealed, 'tok_a')).toThrow();
    expect(() => open(key, sealed, 'tok_b')).toThrow();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => open(key, raw.toString('base64'), 'tok_a')).toThrow();
  });

  it('gives the same key the same id and different keys different ids', () => {
    const k = newKey();
    expect(keyIdOf(Buffer.from(k))).toBe(keyIdOf(k));
    expect(keyIdOf(newKey())).not.toBe(keyIdOf(k));
  });
});
