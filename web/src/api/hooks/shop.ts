// The storefront's queries and mutations, on the shop's own client (customer session or publishable
// key, see ../shop.ts). Keys come from `shopKeys`; what a flow changes (checkout, sign-in, sign-out)
// is applied by `useShopCache`, so no page writes a key.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useContentLocale } from '../../lib/i18n';
import { ApiProblem, unwrap } from '../client';
import { usePagedList } from '../paging';
import { ensureCart, forgetCart, setPublishableKey, shop, shopKeys, useCartId, useCustomerToken, type Cart } from '../shop';
import type { Body, Query } from './util';

export { shopKeys };

export function useShopConfig() {
  return useQuery({
    queryKey: shopKeys.config(),
    queryFn: async () => {
      const config = await unwrap(shop.GET('/v1/storefront/config'));
      setPublishableKey(config.publishableKey);
      return config;
    },
    staleTime: Infinity,
  });
}


export function useCustomer() {
  const token = useCustomerToken();
  return useQuery({ queryKey: shopKeys.me(token), queryFn: () => unwrap(shop.GET('/v1/customer-auth/me')), enabled: !!token, staleTime: 60_000 });
}


export function useCart() {
  const id = useCartId();
  return useQuery({
    queryKey: shopKeys.cart(id),
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


/** Cart changes, each answered with the new cart (which then replaces the cached one). */
export function useCartActions() {
  const client = useQueryClient();
  const config = useShopConfig().data;
  const put = useCallback((cart: Cart) => client.setQueryData(shopKeys.cart(cart.id), cart), [client]);

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


export function useStores() {
  return useQuery({
    queryKey: shopKeys.stores(),
    queryFn: async () => (await unwrap(shop.GET('/v1/locations', { params: { query: { type: 'store' } } }))).data.filter((l) => l.status === 'active' && l.pickup),
    staleTime: 5 * 60_000,
  });
}

/** Title and product of a cart or order line's variant. */
export function useVariantTitle(variantId: string) {
  const lang = useContentLocale();
  return useQuery({
    queryKey: shopKeys.variant(variantId, lang),
    queryFn: () => unwrap(shop.GET('/v1/variants/{id}', { params: { path: { id: variantId }, query: { locale: lang } } })),
    staleTime: 10 * 60_000,
  });
}

/** The shopper's position, if they allow it: availability then lists the nearest stores first. */
export function useShopperPosition(enabled: boolean) {
  return useQuery({
    queryKey: shopKeys.position(),
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


// ------------------------------------------------------------------ catalog

export type ShopProductFilters = Omit<Query<'/v1/products'>, 'cursor' | 'limit' | 'facets' | 'locale' | 'channel'>;

export function useShopCategories() {
  const lang = useContentLocale();
  return useQuery({ queryKey: shopKeys.categories(lang), staleTime: 5 * 60_000, queryFn: () => unwrap(shop.GET('/v1/categories', { params: { query: { locale: lang } } })) });
}

/** Products for the web channel in pages of `pageSize`; the first page also answers facets. */
export function useShopProducts(filters: ShopProductFilters, pageSize: number) {
  const lang = useContentLocale();
  return useInfiniteQuery({
    queryKey: shopKeys.products({ ...filters, lang }),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(shop.GET('/v1/products', { params: { query: { ...filters, channel: 'web', locale: lang, facets: !pageParam, limit: pageSize, cursor: pageParam } } })),
    getNextPageParam: (last) => (last.hasMore && last.nextCursor ? last.nextCursor : undefined),
  });
}

export function useShopProduct(id: string) {
  const lang = useContentLocale();
  return useQuery({ queryKey: shopKeys.product(id, lang), queryFn: () => unwrap(shop.GET('/v1/products/{id}', { params: { path: { id }, query: { channel: 'web', locale: lang } } })) });
}

/** Where a variant is available; with the shopper's position (`near`), nearest stores first. */
export function useShopAvailability(variantId: string | undefined, near: string | null, options: { refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: shopKeys.availability(variantId ?? '', near),
    enabled: !!variantId,
    refetchInterval: options.refetchInterval,
    queryFn: () => unwrap(shop.GET('/v1/availability', { params: { query: { variantId: variantId!, ...(near ? { near } : {}) } } })),
  });
}

// ------------------------------------------------------------------ the shopper's orders

export function useMyOrders() {
  return usePagedList(shopKeys.myOrders(), (cursor) => unwrap(shop.GET('/v1/me/orders', { params: { query: { cursor, limit: 20 } } })));
}

/** An order as its customer reads it back (only when signed in; a guest has the copy kept at checkout). */
export function useShopOrder(id: string) {
  const token = useCustomerToken();
  return useQuery({ queryKey: shopKeys.order(id, token), enabled: !!token, refetchInterval: 30_000, queryFn: () => unwrap(shop.GET('/v1/orders/{id}', { params: { path: { id } } })) });
}

export function useShopOrderFulfilments(orderId: string) {
  return useQuery({ queryKey: shopKeys.orderFulfilments(orderId), refetchInterval: 30_000, queryFn: () => unwrap(shop.GET('/v1/orders/{id}/fulfilments', { params: { path: { id: orderId } } })) });
}

export function useShopOrderNotes(orderId: string) {
  return useQuery({ queryKey: shopKeys.orderNotes(orderId), refetchInterval: 60_000, queryFn: () => unwrap(shop.GET('/v1/orders/{id}/notes', { params: { path: { id: orderId } } })) });
}

// ------------------------------------------------------------------ returns

export function useReturnPolicy() {
  return useQuery({ queryKey: shopKeys.returnPolicy(), staleTime: 10 * 60_000, queryFn: () => unwrap(shop.GET('/v1/return-policy')) });
}

export function useOrderReturnsForShopper(orderId: string) {
  return useQuery({ queryKey: shopKeys.returns(orderId), queryFn: () => unwrap(shop.GET('/v1/returns', { params: { query: { orderId, limit: 50 } } })) });
}

export function useShopReturnPreview(body: Body<'/v1/returns/preview', 'post'> | null) {
  return useQuery({ queryKey: shopKeys.returnPreview(body), enabled: !!body, retry: false, queryFn: () => unwrap(shop.POST('/v1/returns/preview', { body: body! })) });
}

export function useCreateShopReturn(options: { onSuccess?: (r: Awaited<ReturnType<typeof createReturn>>) => void; onError?: (err: Error) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createReturn,
    onSuccess: (r, body) => {
      void client.invalidateQueries({ queryKey: shopKeys.returns(body.orderId) });
      options.onSuccess?.(r);
    },
    onError: options.onError,
  });
}
const createReturn = (body: Body<'/v1/returns', 'post'>) => unwrap(shop.POST('/v1/returns', { body, headers: { 'idempotency-key': crypto.randomUUID() } }));

// ------------------------------------------------------------------ privacy

export function useMyConsents() {
  return useQuery({ queryKey: shopKeys.myConsents(), queryFn: () => unwrap(shop.GET('/v1/me/consents')) });
}

export function useChangeMyConsent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (c: Body<'/v1/me/consents', 'put'>['consents'][number]) => unwrap(shop.PUT('/v1/me/consents', { body: { consents: [c] } })),
    onSuccess: (data) => client.setQueryData(shopKeys.myConsents(), data),
  });
}

/** Everything the shop holds on the signed-in shopper, downloaded as a JSON file. */
export function useDownloadMyData() {
  return useMutation({
    mutationFn: async () => {
      const data = await unwrap(shop.GET('/v1/me/export', { params: { query: {} } }));
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `winkel-export-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
}

/** Erase the shopper's account (confirmed with their password); `onErased` forgets them here. */
export function useEraseMe(onErased: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => unwrap(shop.POST('/v1/me/erasure', { body: { password }, headers: { 'idempotency-key': crypto.randomUUID() } })),
    onSuccess: () => {
      onErased();
      client.removeQueries({ queryKey: shopKeys.all });
    },
  });
}

// ------------------------------------------------------------------ what flows change

/** The cache effects of the shopper's flows, named for the flow. */
export function useShopCache() {
  const client = useQueryClient();
  return useMemo(
    () => ({
      /** The cart became an order: the cart is gone, the order list has one more. */
      checkedOut: () => {
        client.removeQueries({ queryKey: shopKeys.carts() });
        void client.invalidateQueries({ queryKey: shopKeys.myOrders() });
      },
      /** A new session: everything the shop showed may differ for this shopper (prices, cart, orders). */
      signedIn: () => client.invalidateQueries({ queryKey: shopKeys.all }),
      /** Back to a guest: the account's orders must not stay on screen. */
      signedOut: () => client.removeQueries({ queryKey: shopKeys.myOrders() }),
    }),
    [client],
  );
}
