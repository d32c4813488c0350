import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.ts';

describe('requestIdFrom', () => {
  it('keeps a well-formed incoming id', () => {
    expect(requestIdFrom('gw-01J:abc.def_1')).toBe('gw-01J:abc.def_1');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with spaces or markup', 'abc <script>'],
    ['with a line break', 'abc\nforged log line'],
    ['repeated', ['a', 'b']],
  ])('generates a new id when the incoming one is %s', (_, header) => {
    expect(requestIdFrom(header)).toMatch(/^req_[0-9a-z]{26}$/);
  });
});
