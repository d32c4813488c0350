import { describe, expect, it } from 'vitest';
import { scrubLogLine } from './scrub-log-line.ts';

describe('scrubLogLine', () => {
  it('masks card numbers in string values, keeping the line valid JSON', () => {
    const line = `${JSON.stringify({ msg: 'card\n4242424242424242 "x"', n: 1 })}\n`;
    const scrubbed = scrubLogLine(line);
    expect(JSON.parse(scrubbed)).toEqual({ msg: 'card\n•••• 4242 "x"', n: 1 });
    expect(scrubbed.endsWith('\n')).toBe(true);
  });

  it('masks card numbers written as bare numbers, but not timestamps or other numbers', () => {
    const line = JSON.stringify({ pan: 4242424242424242, at: 1716300000000, big: 1234567890123456 });
    expect(JSON.parse(scrubLogLine(line))).toEqual({
      pan: '•••• 4242',
      at: 1716300000000,
      big: 1234567890123456,
    });
  });

  it('returns lines with nothing to mask unchanged', () => {
    const line = '{"level":"info","time":"2026-05-21T10:00:00.000Z","msg":"order 1001 placed"}\n';
    expect(scrubLogLine(line)).toBe(line);
  });
});
