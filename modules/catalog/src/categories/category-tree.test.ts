import { describe, expect, it } from 'vitest';
import { buildCategoryTree } from './category-tree.ts';

const cat = (id: string, parent_id: string | null, rank = 0) => ({
  id,
  handle: id,
  name: id,
  description: '',
  parent_id,
  rank,
});

describe('buildCategoryTree', () => {
  it('nests children under parents, siblings by rank then id, whatever the input order', () => {
    const tree = buildCategoryTree([
      cat('c', 'a', 2),
      cat('b', 'a', 1),
      cat('z', null),
      cat('a', null),
      cat('d', 'b'),
    ]);
    const shape = (nodes: typeof tree): unknown => nodes.map((n) => [n.id, shape(n.children)]);
    expect(shape(tree)).toEqual([
      [
        'a',
        [
          ['b', [['d', []]]],
          ['c', []],
        ],
      ],
      ['z', []],
    ]);
  });
});
