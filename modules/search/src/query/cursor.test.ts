import { AppError } from '@emporium/platform';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CursorState, decodeCursor, encodeCursor } from './cursor.ts';

const state = fc.oneof(
  fc.record({
    sort: fc.constantFrom('price_asc' as const, 'price_desc' as const, 'newest' as const),
    key: fc.maxSafeInteger(),
    id: fc.string({ minLength: 1, maxLength: 100 }),
  }),
  fc.record(
    {
      sort: fc.constant('relevance' as const),
      key: fc.double({ noNaN: true, noDefaultInfinity: true }),
      id: fc.string({ minLength: 1, maxLength: 100 }),
      terms: fc.string({ maxLength: 400 }),
      mode: fc.constantFrom('fts' as const, 'fuzzy' as const),
    },
    { requiredKeys: ['sort', 'key', 'id'] },
  ),
);

const rejects = (raw: string) => {
  try {
    decodeCursor(raw);
    return false;
  } catch (err) {
    return err instanceof AppError && err.code === 'invalid_cursor' && err.status === 400;
  }
};

describe('cursor', () => {
  it('decodes what it encoded, exactly (floats included)', () => {
    fc.assert(
      fc.property(state, (s: CursorState) => {
        const back = decodeCursor(encodeCursor(s));
        expect(back).toEqual(Object.is(s.key, -0) ? { ...s, key: 0 } : s);
      }),
    );
  });

  it('rejects anything else with invalid_cursor, never another error', () => {
    expect(rejects('garbage!')).toBe(true);
    expect(rejects(Buffer.from('{"s":"newest","k":1.5,"i":"p"}').toString('base64url'))).toBe(true);
    expect(rejects(Buffer.from('{"s":"bogus","k":1,"i":"p"}').toString('base64url'))).toBe(true);
    expect(rejects(Buffer.from('[1,2]').toString('base64url'))).toBe(true);
    expect(rejects('x'.repeat(3000))).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        try {
          decodeCursor(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
        }
      }),
    );
  });
});
