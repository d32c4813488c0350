export { type PaymentEvent, paymentsEvents } from './events.ts';
export type {
  PaymentProvider,
  ProviderAuthorization,
  ProviderAuthorizeRequest,
  ProviderResult,
} from './payment-provider.ts';
export type {
  AuthorizeFailureCode,
  AuthorizeResult,
  CreateIntentInput,
  PaymentCard,
  PaymentIntent,
  PaymentIntentStatus,
  PaymentOperationFailureCode,
  PaymentOperationResult,
  PaymentRefund,
  PaymentSource,
  PaymentsService,
} from './payments-service.ts';
