import { describe, expect, it } from 'vitest';
import { correctToken, editDistance } from './typo.ts';

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('jakcet', 'jacket')).toBe(1);
    expect(editDistance('shrit', 'shirt')).toBe(1);
    expect(editDistance('shrit', 'suit')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('correctToken', () => {
  const near = (token: string, words: Array<[string, number]>) =>
    words.map(([word, similarity]) => ({ token, word, similarity }));

  it('prefers the fewest edits over the highest trigram similarity', () => {
    expect(
      correctToken(
        'shrit',
        near('shrit', [
          ['suit', 0.22],
          ['shoe', 0.22],
          ['shirt', 0.2],
        ]),
      ),
    ).toBe('shirt');
  });

  it('keeps a token that a vocabulary word starts with, or that nothing is close to', () => {
    expect(correctToken('jack', near('jack', [['jacket', 0.5]]))).toBeUndefined();
    expect(correctToken('zzzzzz', near('zzzzzz', [['jacket', 0.01]]))).toBeUndefined();
  });

  it('leaves short tokens and numbers alone', () => {
    expect(correctToken('te', near('te', [['tee', 0.5]]))).toBeUndefined();
    expect(correctToken('4242', near('4242', [['4243', 0.5]]))).toBeUndefined();
  });
});
