// The receipt of an order: everything a VAT receipt shows, built from the order as it stands (lines
// with their discounts, the per-rate VAT breakdown, the tenders from the payment ledger). Amounts
// are integer cents; the moment is kept in UTC and also given in the shop's time zone.
import type { Executor } from '../../platform/db.js';
import { getAccount } from '../accounts/index.js';
import { variantTitles } from '../catalog/index.js';
import { getOrder } from '../commerce/index.js';
import { getLocation } from '../inventory/index.js';
import { vatBreakdown, vatRate, TAX_CLASSES, type Country, type TaxClass } from '../pricing/index.js';
import { shopIdentity, type ShopIdentity } from './settings.js';

export type ReceiptLocale = 'nl' | 'en';
export const RECEIPT_LOCALES: readonly ReceiptLocale[] = ['nl', 'en'];

export interface ReceiptLine {
  id: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  /** unitPrice × quantity. */
  subtotal: number;
  /** Negative cents, with the promotion that gave each. */
  discounts: Array<{ promotionId: string; name: string; amount: number }>;
  total: number;
  taxClass: string;
  /** Basis points (2100 = 21 %). */
  vatRate: number;
}

export interface ReceiptVatRow {
  rate: number;
  net: number;
  vat: number;
  gross: number;
}

export interface ReceiptTender {
  kind: 'payment' | 'refund';
  provider: string;
  amount: number;
  status: string;
  cardLast4: string | null;
  at: string;
}

export interface Receipt {
  orderId: string;
  number: string;
  locale: ReceiptLocale;
  currency: string;
  country: string;
  issuedAt: string;
  /** issuedAt in the shop's time zone, "YYYY-MM-DD HH:mm". */
  localTime: string;
  timeZone: string;
  shop: { name: string; address: string[]; vatNumber: string | null };
  channel: string;
  store: { id: string; code: string; name: string } | null;
  customer: { id: string | null; email: string | null; name: string | null };
  status: string;
  lines: ReceiptLine[];
  promotions: Array<{ promotionId: string; name: string; amount: number; couponCode: string | null }>;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  total: number;
  /** The total without VAT (what a business customer books). */
  netTotal: number;
  vat: { rows: ReceiptVatRow[]; net: number; vat: number; gross: number };
  tenders: ReceiptTender[];
  paidTotal: number;
  refundedTotal: number;
}

type OrderView = Awaited<ReturnType<typeof getOrder>>;

/** "YYYY-MM-DD HH:mm" of a UTC moment in a time zone. */
const localFormats = new Map<string, Intl.DateTimeFormat>();
export function localTimeIn(at: Date, timeZone: string): string {
  let f = localFormats.get(timeZone);
  if (!f) localFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = Object.fromEntries(
    f
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const isTaxClass = (t: string): t is TaxClass => (TAX_CLASSES as readonly string[]).includes(t);
const isCountry = (c: string): c is Country => c === 'NL' || c === 'BE';

/**
 * The per-rate VAT of the order. The breakdown stored with the order (written at checkout and on
 * every edit) is used when it adds up to the order total; otherwise (e.g. an exchange added lines)
 * it is worked out again from the lines that count, the same way checkout does.
 */
function vatOf(o: OrderView, countedLines: OrderView['lines']) {
  const stored = o.vat as { rows?: ReceiptVatRow[]; net?: number; vat?: number; gross?: number } | null;
  if (stored?.rows && stored.gross === o.total && stored.rows.reduce((s, r) => s + r.gross, 0) === o.total) {
    return { rows: stored.rows.map((r) => ({ rate: r.rate, net: r.net, vat: r.vat, gross: r.gross })), net: stored.net ?? 0, vat: stored.vat ?? 0, gross: stored.gross };
  }
  const country = isCountry(o.country) ? o.country : 'NL';
  const b = vatBreakdown(country, [
    ...countedLines.map((l) => ({ gross: l.total, taxClass: isTaxClass(l.taxClass) ? l.taxClass : ('standard' as const) })),
    ...(o.shippingTotal ? [{ gross: o.shippingTotal, taxClass: 'standard' as const }] : []),
  ]);
  return { rows: b.rows.map((r) => ({ rate: r.rate, net: r.net, vat: r.vat, gross: r.gross })), net: b.net, vat: b.vat, gross: b.gross };
}

/** Tenders from the payment ledger: each authorisation less what was voided of it, then the refunds. */
function tendersOf(o: OrderView): { tenders: ReceiptTender[]; paid: number; refunded: number } {
  const voided = new Map<string, number>();
  for (const p of o.payments) if (p.kind === 'void' && p.status === 'succeeded' && p.parentId) voided.set(p.parentId, (voided.get(p.parentId) ?? 0) + p.amount);
  const tenders: ReceiptTender[] = [];
  const auths = o.payments.filter((p) => p.kind === 'authorisation' && p.status !== 'failed').sort((a, b) => a.tenderSeq - b.tenderSeq);
  for (const a of auths) {
    const amount = a.amount - (voided.get(a.id) ?? 0);
    if (amount > 0) tenders.push({ kind: 'payment', provider: a.provider, amount, status: a.status, cardLast4: a.cardLast4, at: a.createdAt.toISOString() });
  }
  for (const r of o.payments.filter((p) => p.kind === 'refund' && p.status !== 'failed')) {
    tenders.push({ kind: 'refund', provider: r.provider, amount: r.amount, status: r.status, cardLast4: r.cardLast4, at: r.createdAt.toISOString() });
  }
  return { tenders, paid: tenders.filter((t) => t.kind === 'payment').reduce((s, t) => s + t.amount, 0), refunded: o.refundedTotal };
}

export async function receiptFromOrder(db: Executor, o: OrderView, opts: { locale?: ReceiptLocale; shop?: ShopIdentity } = {}): Promise<Receipt> {
  const shop = opts.shop ?? shopIdentity();
  const counted = o.lines.filter((l) => l.status !== 'cancelled');
  const variantIds = [...new Set(counted.map((l) => l.variantId))];
  // Each module's own reads: titles from the catalog, the store from inventory, the account from accounts.
  const orNull = <T>(p: Promise<T>) => p.catch((err: unknown) => ((err as { status?: number }).status === 404 ? null : Promise.reject(err)));
  const [titles, location, acc] = await Promise.all([
    variantTitles(db, variantIds),
    o.storeId ? orNull(getLocation(db, o.storeId)) : Promise.resolve(null),
    o.customerId ? orNull(getAccount(db, o.customerId)) : Promise.resolve(null),
  ]);
  const store = location ? [{ id: location.id, code: location.code, name: location.name }] : [];
  const account = acc ? [{ name: acc.name, locale: acc.locale }] : [];
  // Without a choice, the customer's language; Dutch for guests.
  const locale: ReceiptLocale = opts.locale ?? (account[0]?.locale === 'en' ? 'en' : 'nl');
  const titleOf = new Map(titles.map((t) => [t.id, (locale === 'en' ? (t.en ?? t.nl) : (t.nl ?? t.en)) ?? null]));
  const country = isCountry(o.country) ? o.country : 'NL';
  const lines: ReceiptLine[] = counted.map((l) => {
    const adjustments = Array.isArray(l.adjustments) ? (l.adjustments as Array<{ promotionId: string; name: string; amount: number }>) : [];
    return {
      id: l.id,
      sku: l.sku,
      name: titleOf.get(l.variantId) ?? l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      subtotal: l.unitPrice * l.quantity,
      discounts: adjustments.filter((a) => a.amount !== 0).map((a) => ({ promotionId: a.promotionId, name: a.name, amount: a.amount })),
      total: l.total,
      taxClass: l.taxClass,
      vatRate: vatRate(country, isTaxClass(l.taxClass) ? l.taxClass : 'standard'),
    };
  });
  const vat = vatOf(o, counted);
  const { tenders, paid, refunded } = tendersOf(o);
  const promotions = (Array.isArray(o.promotions) ? (o.promotions as Array<{ promotionId: string; name: string; amount: number; couponCode?: string }>) : []).map((p) => ({
    promotionId: p.promotionId,
    name: p.name,
    amount: p.amount,
    couponCode: p.couponCode ?? null,
  }));
  return {
    orderId: o.id,
    number: o.id,
    locale,
    currency: o.currency,
    country: o.country,
    issuedAt: o.createdAt.toISOString(),
    localTime: localTimeIn(o.createdAt, shop.timeZone),
    timeZone: shop.timeZone,
    shop: { name: shop.name, address: shop.address, vatNumber: shop.vatNumber || null },
    channel: o.channel,
    store: store[0] ?? null,
    customer: { id: o.customerId, email: o.email, name: account[0]?.name ?? null },
    status: o.status,
    lines,
    promotions,
    subtotal: o.subtotal,
    discountTotal: o.discountTotal,
    shippingTotal: o.shippingTotal,
    total: o.total,
    netTotal: vat.net,
    vat,
    tenders,
    paidTotal: paid,
    refundedTotal: refunded,
  };
}

export async function buildReceipt(db: Executor, orderId: string, opts: { locale?: ReceiptLocale; shop?: ShopIdentity } = {}): Promise<Receipt> {
  return receiptFromOrder(db, await getOrder(db, orderId), opts);
}
