// Carts for every channel, priced live by the pricing and promotions modules.
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import type { Db, Executor } from '../../platform/db.js';
import { badRequest, conflict, notFound, Problem, type JsonPointer } from '../../platform/errors.js';
import { newId, newSecret } from '../../platform/ids.js';
import { hashCartSecret, isInStoreChannel } from './cart-access.js';
import { accountStatus } from '../accounts/index.js';
import { findVariant, lookupBarcode } from '../catalog/index.js';
import { quoteCart, type PromotionCache } from '../promotions/index.js';
import { cartLines, carts, orderLines, orders } from './schema.js';
import type { StoredAddress } from './address.js';
import { orderMoney, orderPayments } from '../payments/index.js';

export type CartRow = typeof carts.$inferSelect;

/**
 * Starts a cart. A guest cart (`guest: true`, made with a publishable key) gets a secret: its token
 * is answered once, here, and only its hash is kept (src/modules/commerce/cart-access.ts).
 */
export async function createCart(db: Db, input: { channel: CartRow['channel']; storeId?: string | null; customerId?: string | null; email?: string | null; country?: 'NL' | 'BE'; currency?: string; guest?: boolean }) {
  if (isInStoreChannel(input.channel) && !input.storeId) {
    throw badRequest(`A ${input.channel} cart belongs to a store.`, [{ field: '/storeId', message: 'required for in-store channels' }]);
  }
  const secret = input.guest ? newSecret('wcs') : null;
  const [c] = await db
    .insert(carts)
    .values({ id: newId('cart'), channel: input.channel, storeId: input.storeId ?? null, customerId: input.customerId ?? null, email: input.email ?? null, country: input.country ?? 'NL', currency: input.currency ?? 'EUR', secretHash: secret ? hashCartSecret(secret) : null })
    .returning();
  return { ...c, secret };
}

/**
 * A signed-in customer takes over the guest cart whose secret they hold (the route checked it): it
 * becomes theirs like a cart made in their session, and the secret stops working. Claiming a cart
 * that is already theirs changes nothing.
 */
export async function claimCart(db: Db, cartId: string, customerId: string) {
  await db.transaction(async (tx) => {
    const [cart] = await tx.select({ customerId: carts.customerId, secretHash: carts.secretHash, channel: carts.channel }).from(carts).where(eq(carts.id, cartId)).for('update');
    if (!cart) throw notFound('cart', cartId);
    if (cart.customerId === customerId && !cart.secretHash) return;
    await touch(tx, cartId);
    await tx.update(carts).set({ customerId, secretHash: null }).where(eq(carts.id, cartId));
  });
}

export async function getCartRow(db: Executor, id: string) {
  const [c] = await db.select().from(carts).where(eq(carts.id, id));
  if (!c) throw notFound('cart', id);
  const lines = await db.select().from(cartLines).where(eq(cartLines.cartId, id)).orderBy(asc(cartLines.createdAt), asc(cartLines.id));
  return { ...c, lines };
}
export type CartView = Awaited<ReturnType<typeof getCartRow>>;

/** The cart with its live price: every line priced, promotions applied and explained, VAT. */
export async function pricedCart(db: Executor, cache: PromotionCache, cart: CartView, shippingCost?: number) {
  const quote = cart.lines.length
    ? await quoteCart(db, cache, {
        channel: cart.channel,
        storeId: cart.storeId ?? undefined,
        customerId: cart.customerId ?? undefined,
        // A cart's customer groups are its customer's own, never what a caller says. Customer
        // accounts hold no groups yet (loyalty tiers will give them), so a cart is priced without
        // one; group price lists and tier-only offers are for staff previews until then.
        customerGroups: [],
        couponCodes: cart.couponCodes,
        shippingCost: shippingCost ?? defaultShipping(cart),
        country: cart.country,
        currency: cart.currency,
        lines: cart.lines.map((l) => ({ lineId: l.id, variantId: l.variantId, quantity: l.quantity })),
      })
    : null;
  return {
    id: cart.id,
    channel: cart.channel,
    storeId: cart.storeId,
    customerId: cart.customerId,
    email: cart.email,
    currency: cart.currency,
    country: cart.country,
    status: cart.status,
    couponCodes: cart.couponCodes,
    lines: cart.lines.map((l) => ({ id: l.id, variantId: l.variantId, sku: l.sku, quantity: l.quantity, fulfilment: l.fulfilment, pickupLocationId: l.pickupLocationId })),
    quote,
    version: cart.version,
  };
}

/** Home delivery costs €4.95 below €50 of goods; pickup and in-store sales cost nothing. */
export function defaultShipping(cart: CartView) {
  return cart.lines.some((l) => l.fulfilment === 'delivery') && !isInStoreChannel(cart.channel) ? 495 : 0;
}

async function touch(db: Executor, id: string) {
  const r = await db.update(carts).set({ updatedAt: new Date(), version: sql`${carts.version} + 1` }).where(and(eq(carts.id, id), eq(carts.status, 'open'))).returning({ id: carts.id });
  if (!r.length) {
    // A cart that does not exist is a 404, not a closed one.
    const [exists] = await db.select({ id: carts.id }).from(carts).where(eq(carts.id, id));
    if (!exists) throw notFound('cart', id);
    throw conflict(`Cart ${id} is not open any more.`, 'cart_closed');
  }
}

/** The most of one item a cart line holds (the routes' `quantity` maximum, and the sum of repeated adds). */
export const MAX_LINE_QUANTITY = 10_000;

export async function addLine(db: Db, cartId: string, input: { sku?: string; variantId?: string; barcode?: string; quantity: number; fulfilment?: 'delivery' | 'pickup'; pickupLocationId?: string | null }) {
  const cart = await getCartRow(db, cartId);
  if (cart.status !== 'open') throw conflict(`Cart ${cartId} is not open any more.`, 'cart_closed');
  let variant: { id: string; sku: string; status: string } | undefined;
  if (input.barcode) {
    const m = await lookupBarcode(db, input.barcode);
    variant = { id: m.variant.id, sku: m.variant.sku, status: m.product.status };
  } else {
    variant = await findVariant(db, input);
  }
  if (!variant) throw badRequest(`No product with ${input.sku ? `SKU ${input.sku}` : `variant ${input.variantId}`}.`, [{ field: input.sku ? '/sku' : '/variantId', message: 'unknown' }]);
  if (variant.status !== 'active') throw conflict(`${variant.sku} is not for sale.`, 'not_for_sale');
  const fulfilment = input.fulfilment ?? (cart.channel === 'web' || cart.channel === 'app' ? 'delivery' : 'pickup');
  const pickupLocationId = fulfilment === 'pickup' ? (input.pickupLocationId ?? cart.storeId) : null;
  if (fulfilment === 'pickup' && !pickupLocationId) throw badRequest('Pickup needs a store.', [{ field: '/pickupLocationId', message: 'required for pickup' }]);
  await db.transaction(async (tx) => {
    // The cart row is locked from here, so adds to one cart run one after another and each sees
    // the line as the one before left it.
    await touch(tx, cartId);
    const [same] = await tx
      .select({ id: cartLines.id, quantity: cartLines.quantity })
      .from(cartLines)
      .where(and(eq(cartLines.cartId, cartId), eq(cartLines.variantId, variant!.id), eq(cartLines.fulfilment, fulfilment), pickupLocationId ? eq(cartLines.pickupLocationId, pickupLocationId) : sql`${cartLines.pickupLocationId} is null`));
    const current = same?.quantity ?? 0;
    if (current + input.quantity > MAX_LINE_QUANTITY) {
      const room = Math.max(0, MAX_LINE_QUANTITY - current);
      throw new Problem({
        status: 422,
        code: 'line_quantity_limit',
        title: 'Too many of one item',
        detail: `The cart holds ${current} of ${variant!.sku} already; a line takes at most ${MAX_LINE_QUANTITY}, so add at most ${room}.`,
        errors: [{ field: '/quantity', message: `at most ${room} more` }],
        extra: { currentQuantity: current, maxQuantity: MAX_LINE_QUANTITY },
      });
    }
    if (same) await tx.update(cartLines).set({ quantity: current + input.quantity }).where(eq(cartLines.id, same.id));
    else await tx.insert(cartLines).values({ id: newId('cartLine'), cartId, variantId: variant!.id, sku: variant!.sku, quantity: input.quantity, fulfilment, pickupLocationId });
  });
}

export async function changeLine(db: Db, cartId: string, lineId: string, quantity: number) {
  await db.transaction(async (tx) => {
    await touch(tx, cartId);
    const r = quantity === 0 ? await tx.delete(cartLines).where(and(eq(cartLines.id, lineId), eq(cartLines.cartId, cartId))).returning() : await tx.update(cartLines).set({ quantity }).where(and(eq(cartLines.id, lineId), eq(cartLines.cartId, cartId))).returning();
    if (!r.length) throw notFound('cart line', lineId);
  });
}

/** 422 unless `customerId` is an active customer account (a cart is only ever attached to one). */
export async function assertActiveCustomer(db: Executor, customerId: string, field: JsonPointer = '/customerId') {
  const status = await accountStatus(db, customerId);
  if (status !== 'active') {
    throw new Problem({ status: 422, code: 'unknown_customer', title: 'No such customer', detail: status ? `Customer ${customerId} is disabled.` : `There is no customer account ${customerId}.`, errors: [{ field, message: status ? 'disabled account' : 'no such customer' }] });
  }
}

/**
 * Attaches a customer account to an open cart, or detaches it (null): from the next quote on their
 * personal offers and per-customer limits apply, and the order will be theirs (their timeline,
 * their orders). For staff at a till who look the customer up or scan their card.
 */
export async function setCartCustomer(db: Db, cartId: string, customerId: string | null) {
  await db.transaction(async (tx) => {
    const [cart] = await tx.select({ status: carts.status }).from(carts).where(eq(carts.id, cartId));
    if (!cart) throw notFound('cart', cartId);
    if (customerId) await assertActiveCustomer(tx, customerId);
    await touch(tx, cartId);
    await tx.update(carts).set({ customerId }).where(eq(carts.id, cartId));
  });
}

export async function setCoupons(db: Db, cartId: string, codes: string[]) {
  await db.transaction(async (tx) => {
    await touch(tx, cartId);
    await tx.update(carts).set({ couponCodes: [...new Set(codes.map((c) => c.trim().toUpperCase()).filter(Boolean))] }).where(eq(carts.id, cartId));
  });
}

export async function getOrder(db: Executor, id: string) {
  const [o] = await db.select().from(orders).where(eq(orders.id, id));
  if (!o) throw notFound('order', id);
  const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.id));
  return { ...o, lines, payments: await orderPayments(db, id) };
}

/** What an order's JSON columns hold: written at checkout (and by order edits) from the cart's quote. */
type StoredQuote = Awaited<ReturnType<typeof quoteCart>>;

export function publicOrder(o: Awaited<ReturnType<typeof getOrder>>) {
  return {
    id: o.id,
    cartId: o.cartId,
    channel: o.channel,
    storeId: o.storeId,
    customerId: o.customerId,
    email: o.email,
    currency: o.currency,
    country: o.country,
    status: o.status,
    subtotal: o.subtotal,
    discountTotal: o.discountTotal,
    shippingTotal: o.shippingTotal,
    total: o.total,
    // jsonb columns read back untyped (drizzle types them `unknown`).
    vat: o.vat as StoredQuote['vat'],
    promotions: o.promotions as StoredQuote['applied'],
    shippingAddress: (o.shippingAddress as StoredAddress | null) ?? null,
    note: o.note ?? null,
    lines: o.lines.map((l) => ({ id: l.id, variantId: l.variantId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, adjustments: l.adjustments as StoredQuote['lines'][number]['adjustments'], total: l.total, taxClass: l.taxClass, fulfilment: l.fulfilment, locationId: l.locationId, status: l.status })),
    payments: o.payments.map((p) => ({ id: p.id, provider: p.provider, kind: p.kind, status: p.status, amount: p.amount, failureCode: p.failureCode, createdAt: p.createdAt.toISOString() })),
    ...orderMoney(o, o.lines, o.payments),
    createdAt: o.createdAt.toISOString(),
  };
}

export async function orderForCart(db: Executor, cartId: string) {
  const [o] = await db.select({ id: orders.id }).from(orders).where(eq(orders.cartId, cartId));
  return o?.id;
}


export async function listOrders(db: Executor, q: { channel?: string; storeId?: string; storeIds?: string[]; status?: string; customerId?: string; email?: string; limit: number; cursor?: string }) {
  const after = decodeCursor(q.cursor);
  const where: SQL[] = [];
  if (after) where.push(lt(orders.id, after));
  if (q.channel) where.push(eq(orders.channel, q.channel));
  // A store's orders: sold there (its till or kiosk), or with a line collected at or sent from it.
  if (q.storeId) where.push(or(eq(orders.storeId, q.storeId), sql`exists (select 1 from ${orderLines} where ${orderLines.orderId} = ${orders.id} and ${orderLines.locationId} = ${q.storeId})`)!);
  // Staff scoped to stores see the orders of those stores only.
  if (q.storeIds) where.push(q.storeIds.length ? or(inArray(orders.storeId, q.storeIds), sql`exists (select 1 from ${orderLines} where ${orderLines.orderId} = ${orders.id} and ${inArray(orderLines.locationId, q.storeIds)})`)! : sql`false`);
  if (q.status) where.push(eq(orders.status, q.status as (typeof orders.status.enumValues)[number]));
  if (q.customerId) where.push(eq(orders.customerId, q.customerId));
  if (q.email) where.push(sql`lower(${orders.email}) = ${q.email.trim().toLowerCase()}`);
  const rows = await db.select({ id: orders.id }).from(orders).where(where.length ? and(...where) : undefined).orderBy(desc(orders.id)).limit(q.limit + 1);
  const page = toPage(rows, q.limit, (r) => r.id);
  return { ...page, data: await Promise.all(page.data.map(async (r) => publicOrder(await getOrder(db, r.id)))) };
}

/** The delivery addresses of these orders (for the pick list and the ship screen of their fulfilments). */
export async function shippingAddressesOf(db: Executor, orderIds: string[]): Promise<Map<string, StoredAddress | null>> {
  const ids = [...new Set(orderIds)];
  if (!ids.length) return new Map();
  const rows = await db.select({ id: orders.id, shippingAddress: orders.shippingAddress }).from(orders).where(inArray(orders.id, ids));
  return new Map(rows.map((r) => [r.id, (r.shippingAddress as StoredAddress | null) ?? null]));
}
