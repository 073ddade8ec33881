// Receipts of orders: the receipt as JSON and as a PDF, for staff with orders:read and for the
// customer who placed the order.
import Type from 'typebox';
import type { App, AppContext } from '../../app.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { IdParam, ref } from '../../platform/http/schemas.js';
import type { Principal } from '../../platform/http/access.js';
import { getOrder, checkOrderScope, locationsOfOrder } from '../commerce/index.js';
import { receiptFromOrder, type ReceiptLocale } from './model.js';
import { receiptPdf } from './pdf.js';
import { configureShopIdentity } from './settings.js';

const tags = ['receipts'];
const Money = (description?: string) => Type.Integer({ description: description ?? 'Cents.' });
const VatRow = Type.Object({ rate: Type.Integer({ description: 'Basis points: 2100 = 21 %.' }), net: Money(), vat: Money(), gross: Money() });
const Receipt = Type.Object(
  {
    orderId: Type.String(),
    number: Type.String({ description: 'The receipt number: the order number.' }),
    locale: Type.Union([Type.Literal('nl'), Type.Literal('en')]),
    currency: Type.String(),
    country: Type.String(),
    issuedAt: Type.String({ format: 'date-time', description: 'When the order was placed (UTC).' }),
    localTime: Type.String({ description: 'issuedAt in the shop’s time zone, `YYYY-MM-DD HH:mm`.' }),
    timeZone: Type.String({ description: 'The shop’s time zone (SHOP_TIME_ZONE).' }),
    shop: Type.Object({ name: Type.String(), address: Type.Array(Type.String()), vatNumber: Type.Union([Type.String(), Type.Null()]) }),
    channel: Type.String(),
    store: Type.Union([Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }), Type.Null()]),
    customer: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), email: Type.Union([Type.String(), Type.Null()]), name: Type.Union([Type.String(), Type.Null()]) }),
    status: Type.String(),
    lines: Type.Array(
      Type.Object({
        id: Type.String(),
        sku: Type.String(),
        name: Type.String({ description: 'The product title in the receipt’s language.' }),
        quantity: Type.Integer(),
        unitPrice: Money(),
        subtotal: Money('unitPrice × quantity.'),
        discounts: Type.Array(Type.Object({ promotionId: Type.String(), name: Type.String(), amount: Money('Negative cents.') })),
        total: Money('subtotal + discounts.'),
        taxClass: Type.String(),
        vatRate: Type.Integer({ description: 'Basis points.' }),
      }),
    ),
    promotions: Type.Array(Type.Object({ promotionId: Type.String(), name: Type.String(), amount: Money('Positive cents of discount.'), couponCode: Type.Union([Type.String(), Type.Null()]) })),
    subtotal: Money(),
    discountTotal: Money(),
    shippingTotal: Money(),
    total: Money('What the customer pays, VAT included.'),
    netTotal: Money('The total without VAT.'),
    vat: Type.Object({ rows: Type.Array(VatRow, { description: 'Per rate, highest first.' }), net: Money(), vat: Money(), gross: Money() }),
    tenders: Type.Array(
      Type.Object({
        kind: Type.Union([Type.Literal('payment'), Type.Literal('refund')]),
        provider: Type.String(),
        amount: Money('Positive cents.'),
        status: Type.String(),
        cardLast4: Type.Union([Type.String(), Type.Null()]),
        at: Type.String({ format: 'date-time' }),
      }),
    ),
    paidTotal: Money('Σ payment tenders.'),
    refundedTotal: Money(),
  },
  { $id: 'Receipt' },
);
const ReceiptQuery = Type.Object({ locale: Type.Optional(Type.Union([Type.Literal('nl'), Type.Literal('en')], { description: 'Language of the receipt; default the customer’s, else nl.' })) }, { additionalProperties: false });

/** Staff (and keys) with orders:read see every order; a customer sees their own; nobody else sees any. */
async function readableOrder(ctx: AppContext, p: Principal, id: string) {
  const o = await getOrder(ctx.db, id);
  if (p.kind === 'customer') {
    // Another customer's order (or a guest order) is simply not there for this customer.
    if (o.customerId !== p.id) throw notFound('order', id);
    return o;
  }
  if (!p.permissions.has('orders:read')) throw forbidden('Only staff with orders:read or the customer who placed the order may see its receipt.');
  checkOrderScope(p, o.id, locationsOfOrder(o));
  return o;
}

export async function receiptRoutes(app: App, ctx: AppContext) {
  app.addSchema(Receipt);
  configureShopIdentity(ctx.config, ctx.publicUrl);
  const access = { access: { permission: 'storefront' } } as const;

  app.get(
    '/v1/orders/:id/receipt',
    {
      config: access,
      schema: {
        tags,
        summary: 'The receipt of an order: lines, discounts, totals, VAT per rate, tenders',
        description: 'For staff with orders:read (scoped staff: orders of their stores) and for the customer who placed the order (another customer gets 404). Amounts in cents; `localTime` in the shop’s time zone.',
        params: IdParam,
        querystring: ReceiptQuery,
        response: { 200: ref(Receipt) },
      },
    },
    async (req) => {
      const o = await readableOrder(ctx, req.principal!, req.params.id);
      return await receiptFromOrder(ctx.db, o, { locale: req.query.locale as ReceiptLocale | undefined });
    },
  );

  app.get(
    '/v1/orders/:id/receipt.pdf',
    {
      config: access,
      schema: {
        tags,
        summary: 'The receipt of an order as a PDF (A4) with the VAT breakdown',
        description: 'Same access as the JSON receipt. Answers `application/pdf` with a `Content-Disposition` file name.',
        params: IdParam,
        querystring: ReceiptQuery,
        response: { 200: { description: 'The PDF receipt.', content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } } } },
      },
    },
    async (req, reply) => {
      const o = await readableOrder(ctx, req.principal!, req.params.id);
      const receipt = await receiptFromOrder(ctx.db, o, { locale: req.query.locale as ReceiptLocale | undefined });
      const pdf = await receiptPdf(receipt);
      const name = `${receipt.locale === 'nl' ? 'bon' : 'receipt'}-${receipt.number}.pdf`.replace(/[^\w.-]/g, '_');
      // Fastify sends a Buffer as it is; the type provider types the body as the documented binary string.
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'private, no-store').send(Buffer.from(pdf) as unknown as string);
    },
  );
}
