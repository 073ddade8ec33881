// Who may reach a cart, and who may start one of a store. A cart holds a shopper's e-mail, lines and
// personal prices, and its checkout spends money and books a sale: only its owner reaches it, and
// everyone else gets the 404 an unknown cart gets, so an answer tells nothing about carts that are
// not the caller's. The rules (docs/commerce.md, "Whose cart it is"):
//
// - a guest cart (made with a publishable key) is reached with its secret, the `wcs_…` token
//   answered once when it was made and sent as the `Winkel-Cart-Secret` header on every later call;
//   the cart id alone is not enough, since ids appear in orders, events, payments and logs;
// - a customer reaches the web and app carts that are theirs (made in their session, claimed with
//   the secret after signing in, or attached to them); a till, kiosk or scan & go cart stays the
//   store's even when a customer is attached to it;
// - staff and secret keys reach the carts of the stores they act for: a cart of a store (every
//   in-store cart) needs `orders:write` and that store in their scope; a cart of no store (the web
//   shop's) needs a scope of every store, and for staff `orders:write` or `customers:read` too.
import { createHash, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../platform/db.js';
import { forbidden, Problem } from '../../platform/errors.js';
import type { Principal } from '../../platform/http/access.js';
import { carts } from './schema.js';

/** The request header that carries a guest cart's secret. */
export const CART_SECRET_HEADER = 'winkel-cart-secret';
/** Where a guest cart's secret is found in a route's schema (for the OpenAPI document). */
export const CART_SECRET_DESCRIPTION = 'A guest cart’s secret (`wcs_…`), answered once as `secret` when the cart was made with a publishable key. Required on every call on a guest cart; not needed for a customer’s own cart or a store’s cart.';
/** The permission that sells in a store: staff at the till, or the store's device key. */
export const STORE_SALE_PERMISSION = 'orders:write';

const IN_STORE = new Set(['pos', 'kiosk', 'scan_go']);
/** Staff who may reach a web cart (scoped to every store): they sell or serve customers. */
const WEB_CART_STAFF_PERMISSIONS = ['orders:write', 'customers:read'];

/** Channels that sell in a store: the till, the kiosk, scan & go. */
export function isInStoreChannel(channel: string) {
  return IN_STORE.has(channel);
}

export function hashCartSecret(secret: string) {
  return createHash('sha256').update(secret).digest('hex');
}

function secretMatches(secret: string, hash: string) {
  const given = Buffer.from(hashCartSecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * Whether the caller may start or reach carts of this store: a staff session or secret key (a store's
 * device key is a secret key whose `storeIds` hold the store) with `orders:write`, scoped to the store
 * or to every store. Shop fronts and customers never act for a store.
 */
export function actsForStore(p: Principal | undefined, storeId: string) {
  if (!p || (p.kind !== 'staff' && p.kind !== 'secret_key')) return false;
  if (!p.permissions.has(STORE_SALE_PERMISSION)) return false;
  return p.storeIds === null || p.storeIds.includes(storeId);
}

export interface CartOwnership {
  customerId: string | null;
  channel: string;
  storeId: string | null;
  secretHash: string | null;
}

export function mayReachCart(p: Principal | undefined, cart: CartOwnership, secret: string | undefined) {
  if (!p) return false;
  // Whoever holds a guest cart's secret: the shopper's browser, signed in or not, until it is claimed.
  if (cart.secretHash && secret && secretMatches(secret, cart.secretHash)) return true;
  if (p.kind === 'staff' || p.kind === 'secret_key') {
    if (cart.storeId) return actsForStore(p, cart.storeId);
    if (p.storeIds !== null) return false;
    // A web cart holds a shopper's e-mail and personal prices: among staff, only those who serve
    // shoppers (orders or customer service) reach it; a secret key is the shop's own server.
    return p.kind === 'secret_key' || WEB_CART_STAFF_PERMISSIONS.some((perm) => p.permissions.has(perm));
  }
  if (p.kind === 'customer') return cart.customerId === p.id && !isInStoreChannel(cart.channel);
  return false;
}

/** The secret a request sent for a cart, if any (one header; a repeated one counts as none). */
export function cartSecretOf(req: FastifyRequest) {
  const v = req.headers[CART_SECRET_HEADER];
  return typeof v === 'string' && v.length <= 200 ? v : undefined;
}

/**
 * The check every route under /v1/carts/{id} runs before anything else (also before an
 * Idempotency-Key replay): 404, as for an unknown cart, unless the caller may reach the cart.
 */
export async function assertCartReachable(db: Executor, req: FastifyRequest, cartId: string) {
  const [cart] = await db.select({ customerId: carts.customerId, channel: carts.channel, storeId: carts.storeId, secretHash: carts.secretHash }).from(carts).where(eq(carts.id, cartId));
  if (!cart || !mayReachCart(req.principal, cart, cartSecretOf(req))) {
    // The same answer for an unknown cart and for someone else's.
    throw new Problem({ status: 404, code: 'not_found', title: 'Not found', detail: `No cart with id ${cartId} for you. A guest cart is reached with the secret answered when it was made, in the ${'Winkel-Cart-Secret'} header.` });
  }
}

/**
 * Who may start a cart for this channel and store: a cart of a store (every till, kiosk and scan &
 * go cart, and a web cart priced for a store) only staff or the device key of that store; a store-
 * scoped caller only carts of its stores (it could not reach a cart of no store afterwards).
 */
export function assertMayStartCart(p: Principal | undefined, channel: string, storeId: string | null | undefined) {
  const inStore = isInStoreChannel(channel);
  if (!p || p.kind === 'publishable_key' || p.kind === 'customer') {
    if (inStore || storeId) throw forbidden(`A ${inStore ? `${channel} cart` : 'cart of a store'} is started by staff of that store or by its device key (a secret key scoped to the store with ${STORE_SALE_PERMISSION}); a shop front or a shopper starts web and app carts without a store.`);
    return;
  }
  if (!storeId) {
    if (p.storeIds !== null && !inStore) throw forbidden(`You act for ${p.storeIds.join(', ') || 'no store'}: give the cart one of those stores as storeId.`);
    return; // an in-store cart without a store is a 400 from createCart
  }
  if (!actsForStore(p, storeId)) {
    throw forbidden(p.permissions.has(STORE_SALE_PERMISSION) ? `You act for ${p.storeIds!.join(', ') || 'no store'}; not for ${storeId}.` : `Starting a cart of a store needs permission \`${STORE_SALE_PERMISSION}\`, which your credential does not have.`);
  }
}
