// The PDF receipt: A4 portrait, one column, the standard Helvetica fonts (no font files to ship).
// A4 rather than an 80 mm till roll, because the PDF is what a shopper downloads, prints or forwards
// to their bookkeeping; the till printer gets its own layout from the in-store surfaces.
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Receipt } from './model.js';
import { dateTime, money, percent, tenderLabel, words } from './texts.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const GREY = rgb(0.4, 0.4, 0.4);
const GREEN = rgb(0.04, 0.45, 0.2);
const RULE = rgb(0.85, 0.85, 0.85);

export async function receiptPdf(r: Receipt): Promise<Uint8Array> {
  const w = words(r.locale);
  const doc = await PDFDocument.create();
  const title = `${w.receipt} ${r.number}`;
  doc.setTitle(title);
  doc.setSubject(`${r.shop.name} – ${w.order} ${r.number}`);
  doc.setAuthor(r.shop.name);
  doc.setCreator('Winkel');
  doc.setProducer('Winkel (pdf-lib)');
  doc.setLanguage(r.locale === 'nl' ? 'nl-NL' : 'en-GB');
  doc.setCreationDate(new Date(r.issuedAt));
  doc.setModificationDate(new Date(r.issuedAt));
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const supported = new Set(regular.getCharacterSet());
  // Helvetica speaks WinAnsi only: anything else (an emoji in a product name) becomes "?".
  const clean = (s: string) =>
    [...s.replace(/[\u202f\u2009\u00a0]/g, ' ')]
      .map((ch) => (supported.has(ch.codePointAt(0)!) ? ch : '?'))
      .join('');

  const pages: PDFPage[] = [];
  let page!: PDFPage;
  let y = 0;
  const newPage = () => {
    page = doc.addPage(A4);
    pages.push(page);
    y = A4[1] - MARGIN;
  };
  const need = (h: number) => {
    if (y - h < MARGIN + 20) newPage();
  };
  const text = (s: string, x: number, opts: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb>; align?: 'left' | 'right'; maxWidth?: number } = {}) => {
    const size = opts.size ?? 9;
    const font = opts.font ?? regular;
    let t = clean(s);
    if (opts.maxWidth) while (t.length > 1 && font.widthOfTextAtSize(t, size) > opts.maxWidth) t = `${t.slice(0, -2)}…`;
    const width = font.widthOfTextAtSize(t, size);
    page.drawText(t, { x: opts.align === 'right' ? x - width : x, y, size, font, color: opts.color ?? rgb(0.1, 0.1, 0.1) });
  };
  const rule = () => {
    page.drawLine({ start: { x: MARGIN, y: y + 9 }, end: { x: A4[0] - MARGIN, y: y + 9 }, thickness: 0.5, color: RULE });
  };
  const right = A4[0] - MARGIN;
  const m = (c: number) => money(c, r);

  newPage();
  // Header: the shop on the left, the receipt's identity on the right.
  text(r.shop.name, MARGIN, { size: 16, font: bold });
  text(w.receipt, right, { size: 16, font: bold, align: 'right' });
  y -= 18;
  const left = [...r.shop.address, ...(r.shop.vatNumber ? [`${w.vatNumber}: ${r.shop.vatNumber}`] : [])];
  const meta = [`${w.order}: ${r.number}`, `${w.date}: ${dateTime(r)}`, ...(r.store ? [`${w.store}: ${r.store.name}`] : []), `${w.channel}: ${w.channels[r.channel] ?? r.channel}`];
  for (let i = 0; i < Math.max(left.length, meta.length); i++) {
    if (left[i]) text(left[i], MARGIN, { color: GREY });
    if (meta[i]) text(meta[i], right, { align: 'right' });
    y -= 12;
  }
  y -= 16;

  // Lines.
  const col = { qty: 330, price: 400, vat: 450, amount: right };
  const head = () => {
    text(w.item, MARGIN, { font: bold });
    text(w.quantity, col.qty, { font: bold, align: 'right' });
    text(w.unitPrice, col.price, { font: bold, align: 'right' });
    text(w.vat, col.vat, { font: bold, align: 'right' });
    text(w.amount, col.amount, { font: bold, align: 'right' });
    y -= 14;
    rule();
  };
  head();
  for (const l of r.lines) {
    need(14 + 12 * (l.discounts.length + 1));
    if (y === A4[1] - MARGIN) head();
    text(l.name, MARGIN, { maxWidth: col.qty - MARGIN - 40 });
    text(String(l.quantity), col.qty, { align: 'right' });
    text(m(l.unitPrice), col.price, { align: 'right' });
    text(percent(l.vatRate, r.locale), col.vat, { align: 'right' });
    text(m(l.subtotal), col.amount, { align: 'right' });
    y -= 11;
    text(l.sku, MARGIN, { size: 7.5, color: GREY });
    for (const d of l.discounts) {
      y -= 11;
      text(`${w.discount}: ${d.name}`, MARGIN + 10, { size: 8, color: GREEN, maxWidth: col.vat - MARGIN - 20 });
      text(m(d.amount), col.amount, { size: 8, color: GREEN, align: 'right' });
    }
    y -= 15;
  }
  rule();

  // Totals.
  const totalRow = (label: string, cents: number, strong = false) => {
    need(14);
    text(label, col.vat, { align: 'right', font: strong ? bold : regular, size: strong ? 11 : 9 });
    text(m(cents), col.amount, { align: 'right', font: strong ? bold : regular, size: strong ? 11 : 9 });
    y -= strong ? 16 : 13;
  };
  y -= 4;
  totalRow(w.subtotal, r.subtotal);
  if (r.discountTotal) totalRow(w.discount, -r.discountTotal);
  if (r.shippingTotal) totalRow(w.shipping, r.shippingTotal);
  totalRow(w.total, r.total, true);
  totalRow(w.netTotal, r.netTotal);
  y -= 14;

  // VAT breakdown per rate.
  need(30 + 13 * (r.vat.rows.length + 1));
  text(w.vatTitle, MARGIN, { font: bold, size: 11 });
  y -= 16;
  const vcol = { rate: MARGIN, net: 250, vat: 350, gross: 450 };
  text(w.vatRate, vcol.rate, { font: bold });
  text(w.net, vcol.net, { font: bold, align: 'right' });
  text(w.vat, vcol.vat, { font: bold, align: 'right' });
  text(w.gross, vcol.gross, { font: bold, align: 'right' });
  y -= 14;
  rule();
  for (const v of r.vat.rows) {
    text(percent(v.rate, r.locale), vcol.rate);
    text(m(v.net), vcol.net, { align: 'right' });
    text(m(v.vat), vcol.vat, { align: 'right' });
    text(m(v.gross), vcol.gross, { align: 'right' });
    y -= 13;
  }
  rule();
  text(w.totalVat, vcol.rate, { font: bold });
  text(m(r.vat.net), vcol.net, { align: 'right' });
  text(m(r.vat.vat), vcol.vat, { align: 'right', font: bold });
  text(m(r.vat.gross), vcol.gross, { align: 'right' });
  y -= 24;

  // Tenders and refunds.
  if (r.tenders.length) {
    need(20 + 13 * r.tenders.length);
    text(w.paidWith, MARGIN, { font: bold, size: 11 });
    y -= 16;
    for (const t of r.tenders) {
      text(t.kind === 'refund' ? `${w.refund}: ${tenderLabel(t, r.locale)}` : tenderLabel(t, r.locale), MARGIN);
      text(m(t.kind === 'refund' ? -t.amount : t.amount), vcol.gross, { align: 'right' });
      y -= 13;
    }
    y -= 11;
  }
  if (r.promotions.length) {
    need(20 + 13 * r.promotions.length);
    text(w.promotions, MARGIN, { font: bold, size: 11 });
    y -= 16;
    for (const p of r.promotions) {
      text(`${p.name}${p.couponCode ? ` (${w.coupon} ${p.couponCode})` : ''}`, MARGIN, { maxWidth: vcol.vat - MARGIN });
      text(m(-p.amount), vcol.gross, { align: 'right', color: GREEN });
      y -= 13;
    }
  }

  // Footer on every page.
  pages.forEach((p, i) => {
    const s = clean(`${w.footer}   ${w.page} ${i + 1}/${pages.length}`);
    p.drawText(s, { x: MARGIN, y: MARGIN - 10, size: 7.5, font: regular, color: GREY });
  });
  return doc.save({ useObjectStreams: false });
}
