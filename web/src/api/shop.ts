// How the storefront talks to Winkel (its queries and mutations are in hooks/shop.ts). A shopper is never a staff user: every call carries the
// shopper's customer session when signed in, else the shop's publishable key (asked from the public
// GET /v1/storefront/config). The cart id is remembered in this browser, so a reload keeps the cart;
// a guest cart's secret (answered once when the cart is made) is remembered with it and sent on every
// call on that cart, since the publishable key alone reaches no cart (docs/commerce.md, "Whose cart
// it is").
import createClient, { type Middleware } from 'openapi-fetch';
import { useSyncExternalStore } from 'react';
import { contentLocale } from '../lib/i18n';
import { queryClient } from '../lib/queryClient';
import { ApiProblem, unwrap, type Schemas } from './client';
import type { paths } from './schema';

export type ShopConfig = Schemas['StorefrontConfig'];
export type Cart = Schemas['Cart'];
export type Order = Schemas['Order'];
export type Product = Schemas['Product'];
export type Location = Schemas['Location'];

/** The live price of a cart as /v1/pricing/quote explains it (docs/pricing.md). */
export interface Quote {
  currency: string;
  country: string;
  lines: Array<{ lineId: string; sku: string; unitPrice: number; quantity: number; subtotal: number; total: number; adjustments: Adjustment[] }>;
  orderAdjustments: Array<{ promotionId: string; name: string; amount: number; description: string }>;
  shipping: { cost: number; discount: number; total: number };
  subtotal: number;
  discountTotal: number;
  total: number;
  applied: Array<{ promotionId: string; name: string; amount: number; couponCode?: string; note?: string }>;
  notApplied: Array<{ promotionId: string; name: string; reason: string; message: string; lineIds: string[] }>;
  coupons: Array<{ code: string; applied: boolean; reason?: string; message: string }>;
  vat: VatBreakdown;
}
export interface Adjustment {
  promotionId: string;
  name: string;
  level: 'item' | 'order';
  amount: number;
  description: string;
}
export interface VatBreakdown {
  rows: Array<{ rate: number; gross: number; net: number; vat: number }>;
  gross: number;
  net: number;
  vat: number;
}

// ------------------------------------------------------------------ remembered in this browser

function stored(key: string) {
  const listeners = new Set<() => void>();
  let value: string | null = null;
  try {
    value = localStorage.getItem(key);
  } catch {
    // No storage: kept for this page only.
  }
  return {
    get: () => value,
    set(next: string | null) {
      if (next === value) return;
      value = next;
      try {
        if (next) localStorage.setItem(key, next);
        else localStorage.removeItem(key);
      } catch {
        // Not remembered, still used for this visit.
      }
      for (const l of listeners) l();
    },
    subscribe(l: () => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

export const customerSession = stored('winkel.shop.customerToken');
export const cartIdStore = stored('winkel.shop.cartId');
/** The guest cart's secret, as "<cart id> <secret>": it belongs to that cart only. */
const cartSecretStore = stored('winkel.shop.cartSecret');

function secretOf(cartId: string): string | null {
  const [id, secret] = (cartSecretStore.get() ?? '').split(' ');
  return id === cartId && secret ? secret : null;
}

/** Start afresh: the remembered cart (checked out, gone, or not this shopper's) and its secret. */
export function forgetCart() {
  cartSecretStore.set(null);
  cartIdStore.set(null);
}

let publishableKey: string | null = null;
/** Remember the shop's publishable key (answered by GET /v1/storefront/config); guests call with it. */
export function setPublishableKey(key: string) {
  publishableKey = key;
}

/**
 * Query keys of the storefront. They live beside the shop's own client (not with the staff keys):
 * everything a shopper sees is under `shop`, so signing in or out resets it in one go.
 */
export const shopKeys = {
  all: ['shop'] as const,
  config: () => [...shopKeys.all, 'config'] as const,
  me: (token: string | null) => [...shopKeys.all, 'me', token] as const,
  carts: () => [...shopKeys.all, 'cart'] as const,
  cart: (id: string | null) => [...shopKeys.carts(), id] as const,
  stores: () => [...shopKeys.all, 'stores'] as const,
  variant: (id: string, locale: 'nl' | 'en') => [...shopKeys.all, 'variant', id, locale] as const,
  position: () => [...shopKeys.all, 'position'] as const,
  categories: (locale: 'nl' | 'en') => [...shopKeys.all, 'categories', locale] as const,
  products: (filters: object) => [...shopKeys.all, 'products', filters] as const,
  product: (id: string, locale: 'nl' | 'en') => [...shopKeys.all, 'product', id, locale] as const,
  availability: (variantId: string, near: string | null) => [...shopKeys.all, 'availability', variantId, near] as const,
  myOrders: () => [...shopKeys.all, 'my-orders'] as const,
  order: (id: string, token: string | null) => [...shopKeys.all, 'order', id, token] as const,
  orderFulfilments: (id: string) => [...shopKeys.all, 'order', id, 'fulfilments'] as const,
  orderNotes: (id: string) => [...shopKeys.all, 'order', id, 'notes'] as const,
  myConsents: () => [...shopKeys.all, 'my-consents'] as const,
  returnPolicy: () => [...shopKeys.all, 'return-policy'] as const,
  returns: (orderId: string) => [...shopKeys.all, 'returns', orderId] as const,
  returnPreview: (body: object | null) => [...shopKeys.all, 'return-preview', body] as const,
};

// ------------------------------------------------------------------ the client

const shopAuth: Middleware = {
  onRequest({ request }) {
    const token = customerSession.get() ?? publishableKey;
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    // A call on a guest cart carries its secret, signed in or not (signing in claims the cart).
    const cartId = /^\/v1\/carts\/([^/?#]+)/.exec(new URL(request.url).pathname)?.[1];
    const secret = cartId ? secretOf(decodeURIComponent(cartId)) : null;
    if (secret && !request.headers.has('winkel-cart-secret')) request.headers.set('winkel-cart-secret', secret);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.ok) return response;
    if (response.status === 401) {
      const sent = request.headers.get('authorization');
      // An expired customer session: carry on as a guest.
      if (customerSession.get() && sent === `Bearer ${customerSession.get()}`) customerSession.set(null);
      // A revoked publishable key (rotated by staff): ask for the new one.
      else if (publishableKey && sent === `Bearer ${publishableKey}`) {
        publishableKey = null;
        void queryClient.invalidateQueries({ queryKey: shopKeys.config() });
      }
    }
    return response;
  },
  onError() {
    return new ApiProblem({ status: 0, code: 'network', title: 'Network error', detail: 'The shop cannot be reached. Check your connection and try again.' });
  },
};

export const shop = createClient<paths>({ baseUrl: window.location.origin });
shop.use(shopAuth);

export function useCustomerToken() {
  return useSyncExternalStore(customerSession.subscribe, customerSession.get);
}

export function useCartId() {
  return useSyncExternalStore(cartIdStore.subscribe, cartIdStore.get);
}

/** The content language for a UI language (the one helper in lib/i18n). */
export const locale = contentLocale;

// ------------------------------------------------------------------ the cart

export function quoteOf(cart: Cart | null | undefined): Quote | null {
  return (cart?.quote as Quote | null | undefined) ?? null;
}

export async function ensureCart(country: 'NL' | 'BE'): Promise<string> {
  const existing = cartIdStore.get();
  if (existing) return existing;
  const cart = await unwrap(shop.POST('/v1/carts', { body: { channel: 'web', country }, headers: { 'idempotency-key': crypto.randomUUID() } }));
  // A guest's cart comes with its secret, answered this once: keep it with the id.
  cartSecretStore.set(cart.secret ? `${cart.id} ${cart.secret}` : null);
  cartIdStore.set(cart.id);
  return cart.id;
}

/**
 * After signing in, the guest cart becomes the account's: the shopper claims it with its secret
 * (POST /v1/carts/{id}/claim), so their offers apply and the order lands in their account. A cart
 * that cannot be claimed any more (checked out, gone) is forgotten.
 */
export async function adoptGuestCart(sessionToken: string) {
  const id = cartIdStore.get();
  if (!id || !secretOf(id)) return;
  try {
    // With the new session's token, before the page shows the shopper as signed in.
    await unwrap(shop.POST('/v1/carts/{id}/claim', { params: { path: { id } }, headers: { authorization: `Bearer ${sessionToken}` } }));
    cartSecretStore.set(null);
  } catch (err) {
    if (err instanceof ApiProblem && (err.status === 404 || err.code === 'cart_closed')) forgetCart();
    else throw err;
  }
}

// ------------------------------------------------------------------ look-ups

/** The last order placed in this tab: a guest cannot read orders back, so the confirmation keeps it. */
export function rememberOrder(order: Order) {
  try {
    sessionStorage.setItem(`winkel.shop.order.${order.id}`, JSON.stringify(order));
  } catch {
    // The confirmation then shows what the API still lets this shopper read.
  }
}
export function rememberedOrder(id: string): Order | null {
  try {
    const raw = sessionStorage.getItem(`winkel.shop.order.${id}`);
    return raw ? (JSON.parse(raw) as Order) : null;
  } catch {
    return null;
  }
}
