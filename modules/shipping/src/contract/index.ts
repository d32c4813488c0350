export { type ShipmentCreated, shippingEvents } from './events.ts';
export type {
  CreateShipmentInput,
  CreateShipmentResult,
  RateQuery,
  Shipment,
  ShipmentLine,
  ShippingOption,
  ShippingPriceRule,
  ShippingRate,
  ShippingService,
  ShippingZone,
} from './shipping-service.ts';
