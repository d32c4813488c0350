export type { Address, Cart, CartChanges, CartItem, SelectedShipping } from './cart.ts';
export type {
  AnyTransaction,
  CartAccess,
  CartDetails,
  CartService,
  CartShortage,
  CheckoutCart,
  CheckoutCartProblem,
  CheckoutCartResult,
  CheckoutLine,
  CompleteCartResult,
  PrepareCheckoutResult,
  RefreshReservationResult,
  UpdateCartResult,
} from './cart-service.ts';
export { type CartCompleted, cartEvents } from './events.ts';
