// Request-rate budgets (API_RATE_LIMIT requests a minute on /v1, SIGN_IN_RATE_LIMIT on the sign-in
// routes): whose budget a request spends. app.ts identifies the caller first, then spends the
// budget, then checks the route's access rule, so a refused credential still counts.
import { normalizeIP } from '@fastify/rate-limit';
import type { Principal } from './access.js';

/** A client address as budgets count it: IPv4 as is (also when IPv4-mapped), IPv6 by its /56, which one household or server usually holds. */
export function clientAddress(ip: string) {
  return normalizeIP(ip, 56);
}

/**
 * Whose request-rate budget (API_RATE_LIMIT a minute) a request spends. A secret key or a staff
 * session has one of its own. A publishable key ships in every shopper's browser, so it has one per
 * client address; a signed-in customer one per session. Everything else, including a credential
 * that is unknown, expired, revoked or malformed, spends the client address's budget.
 */
export function budgetOf(principal: Principal | null, address: string) {
  if (!principal) return `ip:${address}`;
  switch (principal.kind) {
    case 'secret_key':
      return `key:${principal.id}`;
    case 'staff':
      return `staff:${principal.sessionId}`;
    case 'customer':
      return `customer:${principal.sessionId}`;
    case 'publishable_key':
      return `pk:${principal.id}@${address}`;
  }
}
