import type { Shipment } from './shipping-service.ts';

/** Events the shipping module writes to the outbox in the same transaction as the change. */
export const shippingEvents = {
  /** A shipment was recorded for an order. Payload: {@link ShipmentCreated}. Keyed by order id. */
  shipmentCreated: 'shipping.shipment.created.v1',
} as const;

/** Payload of `shipping.shipment.created.v1` (notify sends the "your order shipped" email). */
export interface ShipmentCreated {
  shipment: Shipment;
}
