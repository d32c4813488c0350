/** Events the inventory module writes to the outbox with the change. */
export const inventoryEvents = {
  /** A variant's available quantity changed (adjustment, set, sale, hold or release). Payload: StockChanged. */
  stockChanged: 'inventory.stock.changed.v1',
} as const;

export interface StockChanged {
  variantId: string;
  onHand: number;
  available: number;
  /** `adjusted`, `set`, `reserved`, `released`, `expired`, `committed`. */
  reason: string;
}
