import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { idTime, isId, newId } from './ids.ts';

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('newId', () => {
  it('is the prefix, an underscore and a lower-case 26-character ULID', () => {
    const id = newId('prod');
    expect(id).toMatch(/^prod_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(newId('ab')).toMatch(/^ab_/);
    expect(newId('abcdefghijk1')).toMatch(/^abcdefghijk1_/);
    expect(new Set(Array.from({ length: 100 }, () => newId('ord'))).size).toBe(100);
  });

  it.each(['', 'p', 'Prod', 'pr_d', '1ab', 'abcdefghijklm', 'prod-x'])('refuses the prefix %j', (prefix) => {
    expect(() => newId(prefix)).toThrow(/id prefix must be 2-12 lower-case letters or digits/);
  });

  it('sorts 1000 ids made in a loop in creation order, many of them within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('evt'));
    expect(sorted(ids)).toEqual(ids);
    // With one fixed time every id shares the millisecond; order must still hold.
    const at = Date.now();
    const same = Array.from({ length: 1000 }, () => newId('evt', at));
    expect(new Set(same.map((id) => idTime(id).getTime()))).toEqual(new Set([at]));
    expect(sorted(same)).toEqual(same);
  });
});

describe('the reference ULID implementation', () => {
  it('reads our ids as valid ULIDs of the time they were made, in order', () => {
    const at = Date.UTC(2026, 11, 3, 15, 30);
    const ids = [...Array.from({ length: 200 }, () => newId('req')), newId('req', at), newId('req', at)];
    for (const id of ids) {
      const body = id.slice(4).toUpperCase();
      expect(isValid(body)).toBe(true);
      expect(decodeTime(body)).toBe(idTime(id).getTime());
    }
    expect(decodeTime(ids.at(-1)?.slice(4).toUpperCase() ?? '')).toBe(at);
  });
});

describe('isId', () => {
  it('accepts an id of the given prefix only', () => {
    const id = newId('cart');
    expect(isId(id, 'cart')).toBe(true);
    expect(isId(id, 'car')).toBe(false);
    expect(isId(id, 'order')).toBe(false);
  });

  it.each([
    ['no prefix', '_01arz3ndektsv4rrffq69g5fav'],
    ['no separator', 'cart01arz3ndektsv4rrffq69g5fav'],
    ['upper case', 'cart_01ARZ3NDEKTSV4RRFFQ69G5FAV'],
    ['too short', 'cart_01arz3ndektsv4rrffq69g5fa'],
    ['too long', 'cart_01arz3ndektsv4rrffq69g5favx'],
    ['a letter Crockford leaves out (u)', 'cart_01arz3ndektsv4rrffq69g5fau'],
    ['a second separator', 'cart_01arz3ndektsv4rrf_q69g5fav'],
  ])('refuses an id with %s', (_, id) => {
    expect(isId(id, 'cart')).toBe(false);
  });
});

describe('idTime', () => {
  it('decodes the time of a known ULID', () => {
    // The ULID specification's example id; its first ten characters are 1469922850259 ms.
    expect(idTime('prod_01arz3ndektsv4rrffq69g5fav')).toEqual(new Date(1469922850259));
    expect(idTime('prod_7zzzzzzzzzcwczja91ht0h9fk2').getTime()).toBe(2 ** 48 - 1);
  });

  it('returns the time an id was made', () => {
    const before = Date.now();
    const id = newId('pay');
    const after = Date.now();
    const t = idTime(id).getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
  });
});

describe('ids at a given time', () => {
  it('encode the time given even when it is earlier than one given before', () => {
    const later = Date.UTC(2026, 5, 1);
    const earlier = Date.UTC(2025, 0, 1);
    newId('prod', later);
    expect(idTime(newId('prod', earlier)).getTime()).toBe(earlier);
  });
});
