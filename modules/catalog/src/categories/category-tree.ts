import type { CategoryDocument } from '../contract/index.ts';

/** A category with its subcategories, as `GET /store/categories` nests them. */
export interface CategoryNode extends CategoryDocument {
  children: CategoryNode[];
}

/** Nests a flat list (any order) into trees, siblings by rank then id. */
export function buildCategoryTree(categories: readonly CategoryDocument[]): CategoryNode[] {
  const nodes = new Map(categories.map((c) => [c.id, { ...c, children: [] as CategoryNode[] }]));
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id);
    (parent ? parent.children : roots).push(node);
  }
  const order = (a: CategoryNode, b: CategoryNode) =>
    a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sort = (list: CategoryNode[]): void => {
    list.sort(order);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}
