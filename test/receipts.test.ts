// Receipts through the API against the real server: an order with a promotion and two VAT rates
// (21 % and 9 %) gives a receipt whose totals and per-rate breakdown reconcile with the order; the
// PDF's own text shows the order number, each rate and the total; only the owner and staff may see
// it; and the confirmation e-mail caught by the SMTP catcher carries the VAT breakdown.
import { inflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/platform/config.js';
import { receiptPdf } from '../src/modules/receipts/pdf.js';
import { eventually, startTestServer, type TestServer } from './helpers/server.js';
import { shopFront, type ShopFront } from './helpers/shop.js';

let s: TestServer;
let pk: string;
let guest: ShopFront;
let alice: string;
let bob: string;
let order: any;
let guestOrder: any;

const WIN_ANSI_HIGH: Record<number, string> = { 0x80: '€', 0x85: '…', 0x95: '•', 0x96: '–', 0x97: '—', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”' };

/**
 * The text a PDF shows: every content stream is inflated and the strings of its text operators
 * (Tj, and the parts of TJ arrays) are decoded from WinAnsi, in drawing order, one per line.
 */
function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString('latin1');
  const out: string[] = [];
  const re = /<<((?:(?!>>\s*stream)[\s\S])*)>>\s*stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let data = Buffer.from(raw.slice(start, end), 'latin1');
    if (/\/FlateDecode/.test(m[1])) {
      try {
        data = inflateSync(data);
      } catch {
        continue; // not a stream we can read (fonts are not embedded, so there are none)
      }
    }
    const content = data.toString('latin1');
    if (!/\bBT\b/.test(content)) continue;
    const decode = (hex: string) => [...Buffer.from(hex, 'hex')].map((b) => WIN_ANSI_HIGH[b] ?? String.fromCharCode(b)).join('');
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj|\(((?:\\.|[^\\)])*)\)\s*Tj/g)) out.push(t[1] !== undefined ? decode(t[1]) : t[2]);
  }
  return out.join('\n').replace(/\u00a0/g, ' ');
}

beforeAll(async () => {
  s = await startTestServer({ shopName: 'Winkel Testwinkel', shopAddress: 'Damrak 1, 1012 LG Amsterdam', shopVatNumber: 'NL123456789B01', shopTimeZone: 'Europe/Amsterdam' });
  pk = (await s.call('POST', '/v1/api-keys', { body: { kind: 'publishable', name: 'shop' } })).body.token;
  guest = shopFront(s, pk);
  const dc = (await s.call('POST', '/v1/locations', { body: { code: 'DC', name: 'DC', type: 'warehouse' } })).body.id;
  expect((await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Tea towel', nl: 'Theedoek' }, variants: [{ sku: 'TOWEL' }] } })).status).toBe(201);
  expect((await s.call('POST', '/v1/products', { body: { status: 'active', title: { en: 'Cook book', nl: 'Kookboek' }, taxClass: 'reduced', variants: [{ sku: 'BOOK' }] } })).status).toBe(201);
  const pl = (await s.call('POST', '/v1/price-lists', { body: { name: 'Base' } })).body.id;
  await s.call('POST', `/v1/price-lists/${pl}/prices`, { body: { prices: [{ sku: 'TOWEL', amount: 750 }, { sku: 'BOOK', amount: 2000 }] } });
  for (const sku of ['TOWEL', 'BOOK']) await s.call('POST', '/v1/stock/movements', { body: { sku, locationId: dc, type: 'receipt', quantity: 20 } });
  const promo = await s.call('POST', '/v1/promotions', { body: { name: 'Autumn 10% off', status: 'active', stacking: 'combinable', target: { all: true }, rule: { kind: 'percent_off_items', percent: 10 } } });
  expect(promo.status).toBe(201);
  alice = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'alice@example.com', password: 'alice-secret-1', name: 'Alice', locale: 'en' } })).body.token;
  bob = (await s.call('POST', '/v1/customer-auth/sign-up', { token: null, body: { email: 'bob@example.com', password: 'bob-secret-1' } })).body.token;
  expect(alice && bob).toBeTruthy();

  const buy = async (token: string, email: string) => {
    const cart = (await guest('POST', '/v1/carts', { token, body: { channel: 'web', email } })).body;
    expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token, body: { sku: 'TOWEL', quantity: 2 } })).status).toBe(200);
    expect((await guest('POST', `/v1/carts/${cart.id}/lines`, { token, body: { sku: 'BOOK', quantity: 1 } })).status).toBe(200);
    const r = await guest('POST', `/v1/carts/${cart.id}/checkout`, { token, body: { acceptCurrentPrice: true, payment: { method: 'test_card', cardNumber: '4242424242424242' } }, headers: { 'idempotency-key': `receipt-${email}` } });
    expect(r.status).toBe(201);
    return r.body;
  };
  order = await buy(alice, 'alice@example.com');
  guestOrder = await buy(pk, 'guest@example.com');
});
afterAll(() => s?.close());

describe('the receipt model', () => {
  it('reconciles with the order: lines, discounts, totals and VAT per rate', async () => {
    const r = await s.call('GET', `/v1/orders/${order.id}/receipt`, { token: alice });
    expect(r.status).toBe(200);
    const rc = r.body;
    expect(rc).toMatchObject({ orderId: order.id, number: order.id, locale: 'en', currency: 'EUR', total: order.total, subtotal: order.subtotal, discountTotal: order.discountTotal, shippingTotal: order.shippingTotal });
    expect(rc.shop).toEqual({ name: 'Winkel Testwinkel', address: ['Damrak 1', '1012 LG Amsterdam'], vatNumber: 'NL123456789B01' });
    expect(rc.customer).toMatchObject({ id: expect.stringMatching(/^cus/), email: 'alice@example.com', name: 'Alice' });
    // Two rates, 21 % (towels and shipping) and 9 % (the book), highest first.
    expect(rc.vat.rows.map((v: { rate: number }) => v.rate)).toEqual([2100, 900]);
    for (const v of rc.vat.rows) expect(v.net + v.vat).toBe(v.gross);
    expect(rc.vat.rows.reduce((sum: number, v: { gross: number }) => sum + v.gross, 0)).toBe(order.total);
    expect(rc.vat.rows.reduce((sum: number, v: { vat: number }) => sum + v.vat, 0)).toBe(rc.vat.vat);
    expect(rc.netTotal + rc.vat.vat).toBe(rc.total);
    // The 9 % row is exactly the book after its 10 % discount: € 18.00 gross, VAT 18.00 × 9/109.
    const book = rc.lines.find((l: { sku: string }) => l.sku === 'BOOK');
    expect(book).toMatchObject({ name: 'Cook book', quantity: 1, unitPrice: 2000, subtotal: 2000, total: 1800, vatRate: 900 });
    expect(book.discounts).toEqual([{ promotionId: expect.any(String), name: 'Autumn 10% off', amount: -200 }]);
    expect(rc.vat.rows[1]).toEqual({ rate: 900, gross: 1800, vat: 149, net: 1651 });
    const towel = rc.lines.find((l: { sku: string }) => l.sku === 'TOWEL');
    expect(towel).toMatchObject({ quantity: 2, unitPrice: 750, subtotal: 1500, total: 1350, vatRate: 2100 });
    // Lines + shipping = total; discounts on the lines = the order's discount.
    expect(rc.lines.reduce((sum: number, l: { total: number }) => sum + l.total, 0) + rc.shippingTotal).toBe(rc.total);
    expect(rc.lines.flatMap((l: { discounts: { amount: number }[] }) => l.discounts).reduce((sum: number, d: { amount: number }) => sum + d.amount, 0)).toBe(-rc.discountTotal);
    expect(rc.promotions).toEqual([expect.objectContaining({ name: 'Autumn 10% off', amount: rc.discountTotal })]);
    // The test card paid it all.
    expect(rc.tenders).toEqual([expect.objectContaining({ kind: 'payment', provider: 'test_card', amount: rc.total, cardLast4: '4242' })]);
    expect(rc.paidTotal).toBe(rc.total);
    // UTC kept, local time in Amsterdam given next to it.
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', dateStyle: 'short', timeStyle: 'short' }).format(new Date(rc.issuedAt));
    expect(rc.localTime).toBe(local);
    expect(rc.timeZone).toBe('Europe/Amsterdam');
  });

  it('speaks Dutch when asked, with Dutch product names', async () => {
    const r = await s.call('GET', `/v1/orders/${order.id}/receipt?locale=nl`, { token: alice });
    expect(r.body.locale).toBe('nl');
    expect(r.body.lines.map((l: { name: string }) => l.name).sort()).toEqual(['Kookboek', 'Theedoek']);
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt?locale=fr`, { token: alice })).status).toBe(400);
  });
});

describe('the PDF receipt', () => {
  it('is a PDF that shows the order number, each VAT rate with its amounts, and the total', async () => {
    const res = await fetch(`${s.url}/v1/orders/${order.id}/receipt.pdf?locale=nl`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="bon-${order.id}.pdf"`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe(`Kassabon ${order.id}`);
    const rc = (await s.call('GET', `/v1/orders/${order.id}/receipt?locale=nl`, { token: alice })).body;
    const text = pdfText(bytes);
    const eur = (c: number) => new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' }).format(c / 100).replace(/\u00a0/g, ' ');
    expect(text).toContain(`Bestelling: ${order.id}`);
    expect(text).toContain('NL123456789B01');
    expect(text).toContain('Btw-specificatie');
    expect(text).toContain('Kookboek');
    expect(text).toContain('Korting: Autumn 10% off');
    // Each rate's row: the rate, then its net, VAT and gross, in that order.
    for (const v of rc.vat.rows) {
      expect(text).toContain(`${v.rate / 100}%\n${eur(v.net)}\n${eur(v.vat)}\n${eur(v.gross)}`);
    }
    expect(text).toContain(`Totaal btw\n${eur(rc.vat.net)}\n${eur(rc.vat.vat)}\n${eur(rc.vat.gross)}`);
    expect(text).toContain(`Totaal\n${eur(order.total)}`);
    expect(text).toContain(`Totaal excl. btw\n${eur(rc.netTotal)}`);
  });

  it('runs on over further pages for a long order, the VAT breakdown after the last line', async () => {
    const rc = (await s.call('GET', `/v1/orders/${order.id}/receipt?locale=nl`)).body;
    const many = { ...rc, lines: Array.from({ length: 90 }, (_, i) => ({ ...rc.lines[i % rc.lines.length], id: `line-${i}`, name: `Artikel ${i + 1}` })) };
    const bytes = await receiptPdf(many);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBeGreaterThan(1);
    const text = pdfText(bytes);
    expect(text).toContain(`Pagina ${doc.getPageCount()}/${doc.getPageCount()}`);
    expect(text.indexOf('Btw-specificatie')).toBeGreaterThan(text.indexOf('Artikel 90'));
    // A page that continues the lines starts with the column headings again.
    expect(text.split('Artikel\nAantal\nPrijs\nBtw\nBedrag').length - 1).toBeGreaterThan(1);
  });

  it('comes in English too', async () => {
    const res = await fetch(`${s.url}/v1/orders/${order.id}/receipt.pdf?locale=en`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status).toBe(200);
    const text = pdfText(new Uint8Array(await res.arrayBuffer()));
    expect(text).toContain(`Order: ${order.id}`);
    expect(text).toContain('VAT breakdown');
    expect(text).toContain('Cook book');
    expect(text).toMatch(/21%\n€\d/);
    expect(text).toMatch(/9%\n€\d/);
  });
});

describe('who may see a receipt', () => {
  it('the customer who placed the order and staff; not another customer, a shop key or nobody', async () => {
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt`)).status).toBe(200); // admin
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt`, { token: bob })).status).toBe(404);
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt.pdf`, { token: bob })).status).toBe(404);
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt`, { token: pk })).status).toBe(403);
    const anon = await s.call('GET', `/v1/orders/${order.id}/receipt`, { token: null });
    expect(anon.status).toBe(401);
    expect((await s.call('GET', `/v1/orders/${order.id}/receipt.pdf`, { token: null })).status).toBe(401);
    expect((await s.call('GET', '/v1/orders/ord_doesnotexist/receipt')).status).toBe(404);
  });

  it('a guest order is for staff only', async () => {
    expect((await s.call('GET', `/v1/orders/${guestOrder.id}/receipt`)).status).toBe(200);
    expect((await s.call('GET', `/v1/orders/${guestOrder.id}/receipt`, { token: alice })).status).toBe(404);
    expect((await s.call('GET', `/v1/orders/${guestOrder.id}/receipt.pdf`, { token: pk })).status).toBe(403);
  });

  it('is in the OpenAPI document, the PDF as a binary response', async () => {
    const { body: doc } = await s.call('GET', '/openapi.json', { token: null });
    expect(doc.paths['/v1/orders/{id}/receipt'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Receipt');
    expect(doc.paths['/v1/orders/{id}/receipt.pdf'].get.responses['200'].content['application/pdf'].schema).toMatchObject({ type: 'string', format: 'binary' });
  });
});

describe('the order confirmation e-mail', () => {
  it('is the receipt, in HTML and text, with the VAT per rate, in the customer’s language', async () => {
    const mail = await eventually(async () => (await s.call('GET', '/v1/devtools/emails?to=alice@example.com')).body.data[0]);
    const rc = (await s.call('GET', `/v1/orders/${order.id}/receipt?locale=en`, { token: alice })).body;
    const eur = (c: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(c / 100);
    expect(mail.subject).toBe(`Thank you for your order ${order.id}`);
    expect(mail.text).toContain('VAT breakdown');
    for (const v of rc.vat.rows) expect(mail.text).toMatch(new RegExp(`${v.rate / 100}%\\s+${eur(v.net).replace('.', '\\.')}\\s+${eur(v.vat).replace('.', '\\.')}\\s+${eur(v.gross).replace('.', '\\.')}`));
    expect(mail.text).toContain(`Total VAT`);
    expect(mail.text).toContain('Discount: Autumn 10% off');
    expect(mail.html).toContain('VAT breakdown');
    for (const v of rc.vat.rows) expect(mail.html).toContain(`${v.rate / 100}%</td><td style="padding:4px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap;">${eur(v.net)}</td>`);
    expect(mail.html).toContain(`/storefront/orders/${order.id}`);
  });

  it('a guest gets it in Dutch', async () => {
    const mail = await eventually(async () => (await s.call('GET', '/v1/devtools/emails?to=guest@example.com')).body.data[0]);
    expect(mail.subject).toBe(`Bedankt voor je bestelling ${guestOrder.id}`);
    expect(mail.text).toContain('Btw-specificatie');
    expect(mail.text).toMatch(/\n21%\s+€\s\d+,\d\d\s+€\s\d+,\d\d\s+€\s\d+,\d\d\n9%\s+€\s\d+,\d\d/);
  });
});

describe('shop settings', () => {
  it('refuses an unknown time zone or a malformed VAT number at start', () => {
    expect(() => loadConfig({ env: { SHOP_TIME_ZONE: 'Mars/Olympus' }, file: '/nonexistent' })).toThrow(/SHOP_TIME_ZONE.*time zone/);
    expect(() => loadConfig({ env: { SHOP_VAT_NUMBER: 'nl 123' }, file: '/nonexistent' })).toThrow(/SHOP_VAT_NUMBER/);
    expect(loadConfig({ env: {}, file: '/nonexistent' })).toMatchObject({ shopName: 'Winkel', shopTimeZone: 'Europe/Amsterdam', shopVatNumber: '' });
  });
});
