export { inventoryEvents, type StockChanged, type StockChangeReason } from './events.ts';
export type {
  AdjustResult,
  CommitResult,
  InventoryService,
  ReservationLine,
  ReserveResult,
  StockChange,
  StockLevel,
} from './inventory-service.ts';
