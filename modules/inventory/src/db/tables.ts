import type { Generated, Kysely, Transaction } from 'kysely';

export type ReservationStatus = 'active' | 'committed' | 'released' | 'expired';

export interface StockLevelsTable {
  variant_id: string;
  location_id: Generated<string>;
  on_hand: number;
  reserved: number;
  version: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export interface ReservationsTable {
  id: string;
  holder_id: string;
  status: ReservationStatus;
  expires_at: Date;
  created_at: Date;
  settled_at: Date | null;
  replaced_by: string | null;
}

export interface ReservationLinesTable {
  reservation_id: string;
  variant_id: string;
  location_id: Generated<string>;
  quantity: number;
  expires_at: Date;
  held: Generated<boolean>;
}

export interface AdjustmentsTable {
  id: string;
  variant_id: string;
  location_id: Generated<string>;
  kind: 'adjust' | 'set' | 'sale';
  delta: number;
  on_hand_after: number;
  reason: string;
  actor: string;
  reservation_id: string | null;
  created_at: Date;
}

export interface InventoryTables {
  'inventory.stock_levels': StockLevelsTable;
  'inventory.reservations': ReservationsTable;
  'inventory.reservation_lines': ReservationLinesTable;
  'inventory.adjustments': AdjustmentsTable;
}

export type Trx = Transaction<InventoryTables>;
export type Reader = Kysely<InventoryTables>;
