import type { InventoryService } from '@emporium/inventory/contract';

/**
 * FAKE inventory for catalog tests: `available` answers from a map the test fills (unknown
 * variants 0) and records each call. The catalog uses nothing else of InventoryService; the real
 * one is tested in its own module.
 */
export interface FakeInventory extends Pick<InventoryService, 'available'> {
  readonly stock: Map<string, number>;
  readonly calls: Array<readonly string[]>;
}

export function createFakeInventory(): FakeInventory {
  const stock = new Map<string, number>();
  const calls: Array<readonly string[]> = [];
  return {
    stock,
    calls,
    async available(variantIds) {
      calls.push([...variantIds]);
      return new Map(variantIds.map((id) => [id, stock.get(id) ?? 0]));
    },
  };
}
