// The words and number formats of a receipt, in Dutch and English.
import type { Receipt, ReceiptLocale } from './model.js';

const WORDS = {
  nl: {
    receipt: 'Kassabon',
    confirmationSubject: 'Bedankt voor je bestelling {number}',
    thanks: 'Bedankt voor je bestelling! Hieronder staat je bon.',
    order: 'Bestelling',
    date: 'Datum',
    store: 'Winkel',
    channel: 'Kanaal',
    vatNumber: 'Btw-nummer',
    item: 'Artikel',
    quantity: 'Aantal',
    unitPrice: 'Prijs',
    amount: 'Bedrag',
    subtotal: 'Subtotaal',
    discount: 'Korting',
    shipping: 'Verzending',
    total: 'Totaal',
    netTotal: 'Totaal excl. btw',
    vatTitle: 'Btw-specificatie',
    vatRate: 'Tarief',
    net: 'Netto',
    vat: 'Btw',
    gross: 'Bruto',
    totalVat: 'Totaal btw',
    paidWith: 'Betaald met',
    refund: 'Terugbetaald',
    pending: 'in behandeling',
    promotions: 'Acties',
    coupon: 'code',
    viewOnline: 'Bekijk je bestelling en download de PDF-bon',
    footer: 'Bewaar deze bon: je hebt hem nodig om te ruilen of terug te brengen.',
    page: 'Pagina',
    channels: { web: 'webwinkel', app: 'app', pos: 'kassa', kiosk: 'kiosk', scan_go: 'scan & go' } as Record<string, string>,
    providers: { test_card: 'Testkaart', card_present: 'Pin', cash: 'Contant', gift_card: 'Cadeaukaart' } as Record<string, string>,
  },
  en: {
    receipt: 'Receipt',
    confirmationSubject: 'Thank you for your order {number}',
    thanks: 'Thank you for your order! Your receipt is below.',
    order: 'Order',
    date: 'Date',
    store: 'Store',
    channel: 'Channel',
    vatNumber: 'VAT number',
    item: 'Item',
    quantity: 'Qty',
    unitPrice: 'Price',
    amount: 'Amount',
    subtotal: 'Subtotal',
    discount: 'Discount',
    shipping: 'Shipping',
    total: 'Total',
    netTotal: 'Total excl. VAT',
    vatTitle: 'VAT breakdown',
    vatRate: 'Rate',
    net: 'Net',
    vat: 'VAT',
    gross: 'Gross',
    totalVat: 'Total VAT',
    paidWith: 'Paid with',
    refund: 'Refunded',
    pending: 'pending',
    promotions: 'Promotions',
    coupon: 'code',
    viewOnline: 'See your order and download the PDF receipt',
    footer: 'Keep this receipt: you need it to exchange or return goods.',
    page: 'Page',
    channels: { web: 'web shop', app: 'app', pos: 'till', kiosk: 'kiosk', scan_go: 'scan & go' } as Record<string, string>,
    providers: { test_card: 'Test card', card_present: 'Card', cash: 'Cash', gift_card: 'Gift card' } as Record<string, string>,
  },
} as const;

export type Words = (typeof WORDS)['nl'];

export function words(locale: ReceiptLocale): Words {
  return WORDS[locale] as Words;
}

const intlLocale = (l: ReceiptLocale) => (l === 'nl' ? 'nl-NL' : 'en-GB');

// Intl formatters are costly to make and every confirmation mail formats dozens of amounts: keep them.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** Cents as money in the receipt's locale, e.g. "€ 12,34" (nl) or "€12.34" (en). */
export function money(cents: number, r: Pick<Receipt, 'locale' | 'currency'>): string {
  return cached(`money:${r.locale}:${r.currency}`, () => new Intl.NumberFormat(intlLocale(r.locale), { style: 'currency', currency: r.currency }))
    .format(cents / 100)
    .replace(/[\u202f\u2009]/g, ' ');
}

/** Basis points as a percentage: 2100 → "21%", 550 → "5,5%" (nl). */
export function percent(bp: number, locale: ReceiptLocale): string {
  return `${cached(`pct:${locale}`, () => new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 2 })).format(bp / 100)}%`;
}

/** The date and time in the shop's time zone, written the locale's way. */
export function dateTime(r: Pick<Receipt, 'issuedAt' | 'timeZone' | 'locale'>): string {
  return cached(`dt:${r.locale}:${r.timeZone}`, () => new Intl.DateTimeFormat(intlLocale(r.locale), { timeZone: r.timeZone, dateStyle: 'long', timeStyle: 'short' })).format(new Date(r.issuedAt));
}

export function tenderLabel(t: { provider: string; cardLast4: string | null; status: string }, locale: ReceiptLocale): string {
  const w = words(locale);
  const name = w.providers[t.provider] ?? t.provider;
  return `${name}${t.cardLast4 ? ` •••• ${t.cardLast4}` : ''}${t.status === 'pending' ? ` (${w.pending})` : ''}`;
}
