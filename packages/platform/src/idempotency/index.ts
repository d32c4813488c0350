export {
  type ClaimResult,
  createIdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyClaimRequest,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
  isValidIdempotencyKey,
  type StoredResponse,
} from './idempotency-store.ts';
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  type IdempotentRouteHooks,
  type IdempotentRouteOptions,
  idempotent,
  requestFingerprint,
} from './idempotent-route.ts';
