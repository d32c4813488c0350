export { inventoryEvents, type StockChanged } from './events.ts';
export type { CommitResult, InventoryService, ReservationLine, ReserveResult } from './inventory-service.ts';
