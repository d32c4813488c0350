export { type OrderEventBase, type OrderPlaced, type OrdersEventType, ordersEvents } from './events.ts';
export type {
  Order,
  OrderAddress,
  OrderLine,
  OrderShippingMethod,
  OrderStatus,
  OrderTimelineEntry,
  PaymentStatus,
} from './order.ts';
export { addressJson, customerOrdersJson, type MoneyJson, orderJson } from './order-json.ts';
export type {
  AnyTransaction,
  CreatedOrder,
  CreatePendingOrderInput,
  NewOrderLine,
  OrderChangeResult,
  OrdersService,
} from './orders-service.ts';
