import type { RateLimitRule } from '@emporium/platform';

/** The identity module's request limits (all off with EMPORIUM_RATE_LIMITS=off). */
export const LIMITS = {
  loginPerIp: { name: 'login_ip', max: 30, windowMs: 5 * 60_000 },
  loginPerAccount: { name: 'login_account', max: 10, windowMs: 5 * 60_000 },
  registerPerIp: { name: 'register_ip', max: 10, windowMs: 60 * 60_000 },
  resetPerIp: { name: 'reset_ip', max: 10, windowMs: 60 * 60_000 },
  resetPerAccount: { name: 'reset_account', max: 3, windowMs: 60 * 60_000 },
  tokenPerIp: { name: 'token_ip', max: 120, windowMs: 60_000 },
} as const satisfies Record<string, RateLimitRule>;
