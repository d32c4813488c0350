export { type KeyRotated, vaultEvents } from './events.ts';
export type {
  AcquirerFailureCode,
  AcquirerOperations,
  AcquirerResult,
  AuthorizationApproved,
  CardBrand,
  CardDescription,
  CardInput,
  ClaimedCard,
  ForwardAuthorizationRequest,
  ForwardOptions,
  TokenClaim,
  TokenizeFailureCode,
  TokenizeResult,
  VaultService,
} from './vault-service.ts';
