export {
  type Authenticator,
  createJwtAuthenticator,
  denyAllAuthenticator,
  type JwtAuthenticatorOptions,
} from './authenticator.ts';
export {
  hasSecondFactor,
  type Permission,
  type Principal,
  permissions,
  permissionsForRoles,
  rolePermissions,
} from './principal.ts';
export {
  consumeRateLimit,
  createMemoryRateLimitStore,
  createRedisRateLimitStore,
  installRateLimits,
  type RateLimitRule,
  type RateLimitStore,
  type RateLimits,
  rateLimit,
} from './rate-limit.ts';
export { authenticate, requireAdminCaller, requirePermission } from './require-permission.ts';
