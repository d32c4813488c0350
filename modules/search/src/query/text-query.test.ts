import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize, toTsQuery } from './text-query.ts';

describe('tokenize', () => {
  it('splits on anything that is not a letter or a digit', () => {
    expect(tokenize(`'; drop table products; --`)).toEqual(['drop', 'table', 'products']);
    expect(tokenize('a & b | !c')).toEqual(['a', 'b', 'c']);
    expect(tokenize('"x" :* <-> (y)')).toEqual(['x', 'y']);
    expect(tokenize('t-shirt 42 crème')).toEqual(['t', 'shirt', '42', 'crème']);
  });

  it('bounds the number and length of words', () => {
    expect(tokenize('w '.repeat(50))).toHaveLength(8);
    expect(tokenize('x'.repeat(100))).toEqual(['x'.repeat(20)]);
  });
});

describe('toTsQuery', () => {
  it('joins words with AND and drops one-letter words beside longer ones', () => {
    expect(toTsQuery(['waxed', 'jack'])).toBe('waxed & jack');
    expect(toTsQuery(['a', 'b', 'jack'])).toBe('jack');
    expect(toTsQuery(['x'])).toBe('x');
    expect(toTsQuery([])).toBeUndefined();
  });

  it('drops a word given twice and a word that begins another word of the query', () => {
    expect(toTsQuery(['boot', 'boo'])).toBe('boot');
    expect(toTsQuery(['oak', 'oak'])).toBe('oak');
    expect(toTsQuery(['sh', 'waxed', 'shirt', 'wax'])).toBe('waxed & shirt');
    expect(toTsQuery(['shirt', 'shim'])).toBe('shirt & shim');
  });

  it('never lets query syntax through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const query = toTsQuery(tokenize(input));
        if (query !== undefined) expect(query).toMatch(/^[\p{L}\p{N}]+( & [\p{L}\p{N}]+)*$/u);
      }),
    );
  });
});
