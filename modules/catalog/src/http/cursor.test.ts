import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, toPage } from './cursor.ts';

describe('cursors', () => {
  it('round-trips the last id and refuses anything else with 400', () => {
    expect(decodeCursor(encodeCursor('prod_01'))).toBe('prod_01');
    expect(decodeCursor(undefined)).toBeUndefined();
    for (const bad of [
      '',
      'nope',
      Buffer.from('{"after":5}').toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ status: 400 }));
    }
  });

  it('gives a next cursor only when the extra row exists', () => {
    const rows = [{ id: 'c' }, { id: 'b' }, { id: 'a' }];
    expect(toPage(rows, 2)).toEqual({ data: rows.slice(0, 2), next_cursor: encodeCursor('b') });
    expect(toPage(rows, 3)).toEqual({ data: rows, next_cursor: null });
  });
});
