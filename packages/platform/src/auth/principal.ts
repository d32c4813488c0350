/**
 * Who a request acts for, established from a verified access token. `permissions` is what
 * routes check; roles are how staff are granted them.
 */
export interface Principal {
  /** The token's `sub`: a staff user, customer or integration client id. */
  readonly subject: string;
  readonly kind: 'staff' | 'customer' | 'service';
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  /** Authentication methods (RFC 8176), e.g. `['pwd', 'otp']`. */
  readonly amr: readonly string[];
}

/** Every permission an `/admin` route can require. */
export const permissions = [
  'catalog:read',
  'catalog:write',
  'inventory:read',
  'inventory:write',
  'orders:read',
  'orders:write',
  'customers:read',
  'customers:write',
  'staff:manage',
  'audit:read',
  'settings:manage',
] as const;

export type Permission = (typeof permissions)[number];

/**
 * The staff roles and what each may do (least privilege). The identity module issues tokens
 * carrying roles; permissions are resolved here at each request, so a role change applies at once.
 */
export const rolePermissions: Readonly<Record<string, readonly Permission[]>> = {
  owner: permissions,
  admin: permissions.filter((p) => p !== 'settings:manage'),
  catalog_manager: ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:write'],
  order_manager: ['orders:read', 'orders:write', 'customers:read', 'inventory:read', 'catalog:read'],
  support: ['orders:read', 'customers:read', 'catalog:read', 'inventory:read'],
};

export function permissionsForRoles(roles: readonly string[]): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of rolePermissions[role] ?? []) out.add(p);
  return out;
}

/** RFC 8176 values that count as a second factor for staff. */
const SECOND_FACTORS = new Set(['otp', 'hwk', 'swk', 'mfa', 'sms']);

export function hasSecondFactor(principal: Principal): boolean {
  return principal.amr.some((m) => SECOND_FACTORS.has(m));
}
