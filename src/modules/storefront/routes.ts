// What the web storefront asks before anyone signs in (its publishable key and channel), and the
// signed-in shopper's own orders.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { PageQuery, ref } from '../../platform/http/schemas.js';
import { listOrders } from '../commerce/index.js';
import { webStorefrontConfig } from './service.js';

const tags = ['storefront'];
const StorefrontConfig = Type.Object(
  {
    publishableKey: Type.String({ description: 'pk_…: send it as the bearer token on storefront routes. Public by design.' }),
    apiKeyId: Type.String({ description: 'key_…: the API key behind it; revoke it to rotate (a new one is made on the next request).' }),
    channel: Type.Literal('web'),
    country: Type.Union([Type.Literal('NL'), Type.Literal('BE')]),
    currency: Type.String(),
    testCards: Type.Array(Type.Object({ number: Type.String({ description: 'grouped in fours, as people type it' }), outcome: Type.String({ description: 'success, declined, insufficientFunds, expired, pending, …' }) }), {
      description: 'The built-in test card gateway’s documented numbers, for the checkout’s hint (docs/commerce.md).',
    }),
  },
  { $id: 'StorefrontConfig' },
);

export async function storefrontRoutes(app: App, ctx: AppContext) {
  app.addSchema(StorefrontConfig);

  app.get(
    '/v1/storefront/config',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'How the web storefront starts: its publishable key, channel, country and currency',
        description: 'Made on first use. A publishable key only opens storefront routes, so it is safe to hand to every visitor.',
        response: { 200: ref(StorefrontConfig) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return webStorefrontConfig(ctx.db);
    },
  );

  app.get(
    '/v1/me/orders',
    {
      config: { access: 'customer' },
      schema: { tags, summary: 'My orders, newest first (signed-in customer)', querystring: PageQuery, response: { 200: Type.Ref('OrderPage') } },
    },
    async (req) => listOrders(ctx.db, { customerId: req.principal!.id, limit: req.query.limit ?? 20, cursor: req.query.cursor }),
  );
}
