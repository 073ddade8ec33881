// Who is calling, and what every route requires. Each route declares `config.access`; a route
// without one fails at start-up, and the OpenAPI document states the rule per operation.
export type Principal =
  | { kind: 'staff'; id: string; label: string; role: string; permissions: ReadonlySet<string>; storeIds: string[] | null; sessionId: string }
  | { kind: 'secret_key'; id: string; label: string; permissions: ReadonlySet<string>; storeIds: string[] | null }
  | { kind: 'publishable_key'; id: string; label: string; permissions: ReadonlySet<string> }
  | { kind: 'customer'; id: string; label: string; permissions: ReadonlySet<string>; sessionId: string };

/**
 * Callers a shopper holds: a shop front's publishable key (public by design) and a customer session.
 * What they say about themselves (a customer group, membership, another customer) is a claim, never
 * a fact: prices and offers that depend on who someone is come from their own data.
 */
export function isShopperFacing(p: Principal | undefined): p is Extract<Principal, { kind: 'publishable_key' | 'customer' }> {
  return p?.kind === 'publishable_key' || p?.kind === 'customer';
}

/**
 * - `public`: anyone, no credential;
 * - `{ permission }`: a staff session or secret key with that permission (publishable keys and
 *   customers only where the permission is `storefront`);
 * - `customer`: a signed-in customer session only;
 * - `staff`: any signed-in staff user (their own sessions and the like);
 * - `any`: any valid credential, whatever it may do (e.g. "who am I").
 */
export type AccessRule = 'public' | 'customer' | 'staff' | 'any' | { permission: string };

export const SECURITY_SCHEMES = {
  staffSession: { type: 'http', scheme: 'bearer', description: 'A staff session token from POST /v1/auth/sign-in.' },
  secretKey: { type: 'http', scheme: 'bearer', description: 'A secret API key (sk_…) with the listed scopes.' },
  publishableKey: { type: 'http', scheme: 'bearer', description: 'A publishable key (pk_…): storefront routes only.' },
  customerSession: { type: 'http', scheme: 'bearer', description: 'A customer session token from POST /v1/customer-auth/sign-in.' },
} as const;

export function securityFor(rule: AccessRule): Array<Record<string, string[]>> {
  if (rule === 'public') return [];
  if (rule === 'customer') return [{ customerSession: [] }];
  if (rule === 'staff') return [{ staffSession: [] }];
  if (rule === 'any') return [{ staffSession: [] }, { secretKey: [] }, { publishableKey: [] }, { customerSession: [] }];
  const p = rule.permission;
  const alternatives: Array<Record<string, string[]>> = [{ staffSession: [p] }, { secretKey: [p] }];
  if (p === 'storefront') alternatives.push({ publishableKey: [] }, { customerSession: [] });
  return alternatives;
}

export function describeRule(rule: AccessRule): string {
  if (rule === 'public') return 'Public: no credential needed.';
  if (rule === 'customer') return 'Requires a signed-in customer.';
  if (rule === 'staff') return 'Requires a signed-in staff user (any role).';
  if (rule === 'any') return 'Requires any valid credential.';
  return `Requires permission \`${rule.permission}\`.`;
}
