// How the storefront talks to Winkel. A shopper is never a staff user: every call carries the
// shopper's customer session when signed in, else the shop's publishable key (asked from the public
// GET /v1/storefront/config). The cart id is remembered in this browser, so a reload keeps the cart;
// a guest cart's secret (answered once when the cart is made) is remembered with it and sent on every
// call on that cart, since the publishable key alone reaches no cart (docs/commerce.md, "Whose cart
// it is").
import createClient, { type Middleware } from 'openapi-fetch';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { ApiProblem, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { queryClient } from '../../lib/queryClient';

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
        void queryClient.invalidateQueries({ queryKey: ['shop', 'config'] });
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

export function useShopConfig() {
  return useQuery({
    queryKey: ['shop', 'config'],
    queryFn: async () => {
      const config = await unwrap(shop.GET('/v1/storefront/config'));
      publishableKey = config.publishableKey;
      return config;
    },
    staleTime: Infinity,
  });
}

export function useCustomerToken() {
  return useSyncExternalStore(customerSession.subscribe, customerSession.get);
}

export function useCartId() {
  return useSyncExternalStore(cartIdStore.subscribe, cartIdStore.get);
}

export function useCustomer() {
  const token = useCustomerToken();
  return useQuery({ queryKey: ['shop', 'me', token], queryFn: () => unwrap(shop.GET('/v1/customer-auth/me')), enabled: !!token, staleTime: 60_000 });
}

export function locale(language: string): 'nl' | 'en' {
  return language === 'nl' ? 'nl' : 'en';
}

// ------------------------------------------------------------------ the cart

export function useCart() {
  const id = useCartId();
  return useQuery({
    queryKey: ['shop', 'cart', id],
    enabled: !!id,
    queryFn: async () => {
      try {
        const cart = await unwrap(shop.GET('/v1/carts/{id}', { params: { path: { id: id! } } }));
        if (cart.status === 'checked_out') {
          forgetCart();
          return null;
        }
        return cart;
      } catch (err) {
        // Gone, or not this shopper's (e.g. a customer's cart after signing out).
        if (err instanceof ApiProblem && err.status === 404) {
          forgetCart();
          return null;
        }
        throw err;
      }
    },
  });
}

export function quoteOf(cart: Cart | null | undefined): Quote | null {
  return (cart?.quote as Quote | null | undefined) ?? null;
}

async function ensureCart(country: 'NL' | 'BE'): Promise<string> {
  const existing = cartIdStore.get();
  if (existing) return existing;
  const cart = await unwrap(shop.POST('/v1/carts', { body: { channel: 'web', country }, headers: { 'idempotency-key': crypto.randomUUID() } }));
  // A guest's cart comes with its secret, answered this once: keep it with the id.
  cartSecretStore.set(cart.secret ? `${cart.id} ${cart.secret}` : null);
  cartIdStore.set(cart.id);
  return cart.id;
}

/** Cart changes, each answered with the new cart (which then replaces the cached one). */
export function useCartActions() {
  const client = useQueryClient();
  const config = useShopConfig().data;
  const put = useCallback((cart: Cart) => client.setQueryData(['shop', 'cart', cart.id], cart), [client]);

  const addLine = useCallback(
    async (line: { sku: string; quantity: number; fulfilment: 'delivery' | 'pickup'; pickupLocationId?: string | null }) => {
      let id = await ensureCart(config?.country ?? 'NL');
      const add = () => unwrap(shop.POST('/v1/carts/{id}/lines', { params: { path: { id } }, body: { ...line, pickupLocationId: line.fulfilment === 'pickup' ? line.pickupLocationId : null } }));
      let cart: Cart;
      try {
        cart = await add();
      } catch (err) {
        // The remembered cart was checked out elsewhere or is gone: start a new one.
        if (!(err instanceof ApiProblem) || (err.status !== 404 && err.code !== 'cart_closed')) throw err;
        forgetCart();
        id = await ensureCart(config?.country ?? 'NL');
        cart = await add();
      }
      put(cart);
      return cart;
    },
    [config, put],
  );

  const setQuantity = useCallback(async (cartId: string, lineId: string, quantity: number) => put(await unwrap(shop.PATCH('/v1/carts/{id}/lines/{lineId}', { params: { path: { id: cartId, lineId } }, body: { quantity } }))), [put]);

  /** A line's fulfilment is part of what the line is: change it by replacing the line. */
  const changeFulfilment = useCallback(
    async (cart: Cart, lineId: string, fulfilment: 'delivery' | 'pickup', pickupLocationId: string | null) => {
      const line = cart.lines.find((l) => l.id === lineId);
      if (!line) return;
      await unwrap(shop.POST('/v1/carts/{id}/lines', { params: { path: { id: cart.id } }, body: { sku: line.sku, quantity: line.quantity, fulfilment, pickupLocationId: fulfilment === 'pickup' ? pickupLocationId : null } }));
      put(await unwrap(shop.PATCH('/v1/carts/{id}/lines/{lineId}', { params: { path: { id: cart.id, lineId } }, body: { quantity: 0 } })));
    },
    [put],
  );

  const setCoupons = useCallback(async (cartId: string, codes: string[]) => put(await unwrap(shop.POST('/v1/carts/{id}/coupons', { params: { path: { id: cartId } }, body: { codes } }))), [put]);

  return { addLine, setQuantity, changeFulfilment, setCoupons };
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

export function useStores() {
  return useQuery({
    queryKey: ['shop', 'stores'],
    queryFn: async () => (await unwrap(shop.GET('/v1/locations', { params: { query: { type: 'store' } } }))).data.filter((l) => l.status === 'active' && l.pickup),
    staleTime: 5 * 60_000,
  });
}

/** Title and product of a cart or order line's variant. */
export function useVariantTitle(variantId: string, language: string) {
  return useQuery({
    queryKey: ['shop', 'variant', variantId, locale(language)],
    queryFn: () => unwrap(shop.GET('/v1/variants/{id}', { params: { path: { id: variantId }, query: { locale: locale(language) } } })),
    staleTime: 10 * 60_000,
  });
}

/** The shopper's position, if they allow it: availability then lists the nearest stores first. */
export function useShopperPosition(enabled: boolean) {
  return useQuery({
    queryKey: ['shop', 'position'],
    enabled,
    staleTime: 10 * 60_000,
    retry: false,
    queryFn: () =>
      new Promise<string>((resolve, reject) => {
        if (!navigator.geolocation) return reject(new Error('no geolocation'));
        navigator.geolocation.getCurrentPosition(
          (p) => resolve(`${p.coords.latitude.toFixed(4)},${p.coords.longitude.toFixed(4)}`),
          (e) => reject(new Error(e.message)),
          { timeout: 10_000, maximumAge: 10 * 60_000 },
        );
      }),
  });
}

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
