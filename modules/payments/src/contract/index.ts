export { type PaymentEvent, paymentsEvents } from './events.ts';
export type {
  PaymentProvider,
  PreparedSource,
  ProviderAuthorization,
  ProviderAuthorizeRequest,
  ProviderResult,
  SourceClaim,
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
  PrepareAuthorizationInput,
  PreparedAuthorization,
  PreparedAuthorizeResult,
  UnrecordedApproval,
} from './payments-service.ts';
