import { describe, expect, it } from 'vitest';
import { expectedVersion } from './expected-version.ts';

describe('expectedVersion', () => {
  it('reads If-Match as the admin ETag gives it, or the body version', () => {
    expect(expectedVersion('"3"')).toBe(3);
    expect(expectedVersion('W/"3"')).toBe(3);
    expect(expectedVersion('3')).toBe(3);
    expect(expectedVersion(undefined, 4)).toBe(4);
    expect(expectedVersion('"4"', 4)).toBe(4);
    expect(expectedVersion('*')).toBeUndefined();
    expect(expectedVersion(undefined)).toBeUndefined();
  });

  it('refuses a malformed If-Match, or one that disagrees with the body, with 400', () => {
    for (const [header, body] of [
      ['"abc"', undefined],
      ['"0"', undefined],
      ['"1", "2"', undefined],
      ['"2"', 3],
    ] as const) {
      expect(() => expectedVersion(header, body)).toThrow(
        expect.objectContaining({ status: 400, code: 'validation_failed' }),
      );
    }
  });
});
