// A shop front in a test, as a browser is one: it calls with the publishable key, keeps the secret
// each guest cart it starts is answered with, and sends it on every later call on that cart
// (Winkel-Cart-Secret; docs/commerce.md, "Whose cart it is"). Calls on carts it did not start go
// without a secret, so they reach nothing.
import type { CallResult, TestServer } from './server.js';

export type ShopCall = <T = any>(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string>; token?: string | null }) => Promise<CallResult<T>>;

export type ShopFront = ShopCall & { secretOf(cartId: string): string | undefined };

export function shopFront(s: TestServer, publishableKey: string): ShopFront {
  const secrets = new Map<string, string>();
  const call = (async (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}) => {
    const cartId = /^\/v1\/carts\/([^/?]+)/.exec(path)?.[1];
    const secret = cartId ? secrets.get(cartId) : undefined;
    const r = await s.call(method, path, { token: publishableKey, ...opts, headers: { ...(secret ? { 'winkel-cart-secret': secret } : {}), ...opts.headers } });
    if (method === 'POST' && path === '/v1/carts' && r.status === 201 && r.body?.secret) secrets.set(r.body.id, r.body.secret);
    return r;
  }) as ShopFront;
  call.secretOf = (cartId) => secrets.get(cartId);
  return call;
}
