// The order confirmation e-mail: the receipt as HTML and as plain text, with a link to the order
// page on the customer account (where the PDF receipt is downloaded).
import type { Receipt } from './model.js';
import { dateTime, money, percent, tenderLabel, words } from './texts.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function orderPageUrl(r: Receipt, publicUrl: string): string | null {
  if (!publicUrl) return null;
  return `${publicUrl}/storefront/orders/${encodeURIComponent(r.orderId)}`;
}

export function confirmationSubject(r: Receipt): string {
  return words(r.locale).confirmationSubject.replace('{number}', r.number);
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** Plain text, laid out in fixed columns for mail readers without HTML. */
export function receiptText(r: Receipt, link: string | null): string {
  const w = words(r.locale);
  const m = (c: number) => money(c, r);
  const out: string[] = [];
  out.push(w.thanks, '');
  out.push(r.shop.name, ...r.shop.address);
  if (r.shop.vatNumber) out.push(`${w.vatNumber}: ${r.shop.vatNumber}`);
  out.push('', `${w.order}: ${r.number}`, `${w.date}: ${dateTime(r)}`);
  if (r.store) out.push(`${w.store}: ${r.store.name}`);
  out.push('');
  for (const l of r.lines) {
    out.push(`${l.quantity} × ${l.name} (${l.sku})`);
    out.push(`    ${l.quantity} × ${m(l.unitPrice)}${pad(m(l.subtotal), 16, true)}   ${percent(l.vatRate, r.locale)}`);
    for (const d of l.discounts) out.push(`    ${w.discount}: ${d.name}${pad(m(d.amount), 16, true)}`);
  }
  out.push('');
  const row = (label: string, cents: number) => out.push(`${pad(label, 24)}${pad(m(cents), 14, true)}`);
  row(w.subtotal, r.subtotal);
  if (r.discountTotal) row(w.discount, -r.discountTotal);
  if (r.shippingTotal) row(w.shipping, r.shippingTotal);
  row(w.total, r.total);
  row(w.netTotal, r.netTotal);
  out.push('', `${w.vatTitle}:`, `${pad(w.vatRate, 8)}${pad(w.net, 14, true)}${pad(w.vat, 14, true)}${pad(w.gross, 14, true)}`);
  for (const v of r.vat.rows) out.push(`${pad(percent(v.rate, r.locale), 8)}${pad(m(v.net), 14, true)}${pad(m(v.vat), 14, true)}${pad(m(v.gross), 14, true)}`);
  out.push(`${pad(w.totalVat, 22)}${pad(m(r.vat.vat), 14, true)}`);
  if (r.tenders.length) {
    out.push('', `${w.paidWith}:`);
    for (const t of r.tenders) out.push(`${pad(t.kind === 'refund' ? `${w.refund}: ${tenderLabel(t, r.locale)}` : tenderLabel(t, r.locale), 30)}${pad(m(t.kind === 'refund' ? -t.amount : t.amount), 14, true)}`);
  }
  if (r.promotions.length) {
    out.push('', `${w.promotions}:`);
    for (const p of r.promotions) out.push(`- ${p.name}${p.couponCode ? ` (${w.coupon} ${p.couponCode})` : ''}: ${m(-p.amount)}`);
  }
  if (link) out.push('', `${w.viewOnline}: ${link}`);
  out.push('', w.footer, '');
  return out.join('\n');
}

/** HTML with inline styles only (mail readers drop style sheets). */
export function receiptHtml(r: Receipt, link: string | null): string {
  const w = words(r.locale);
  const m = (c: number) => esc(money(c, r));
  const td = 'padding:4px 8px;border-bottom:1px solid #eee;';
  const num = `${td}text-align:right;white-space:nowrap;`;
  const lines = r.lines
    .map(
      (l) =>
        `<tr><td style="${td}">${esc(l.name)}<br><span style="color:#666;font-size:12px">${esc(l.sku)}</span>${l.discounts
          .map((d) => `<br><span style="color:#0a7d32;font-size:12px">${esc(w.discount)}: ${esc(d.name)} ${m(d.amount)}</span>`)
          .join('')}</td><td style="${num}">${l.quantity}</td><td style="${num}">${m(l.unitPrice)}</td><td style="${num}">${esc(percent(l.vatRate, r.locale))}</td><td style="${num}">${m(l.total)}</td></tr>`,
    )
    .join('');
  const total = (label: string, cents: number, strong = false) =>
    `<tr><td colspan="4" style="${num}${strong ? 'font-weight:bold;' : ''}">${esc(label)}</td><td style="${num}${strong ? 'font-weight:bold;' : ''}">${m(cents)}</td></tr>`;
  const vatRows = r.vat.rows.map((v) => `<tr><td style="${td}">${esc(percent(v.rate, r.locale))}</td><td style="${num}">${m(v.net)}</td><td style="${num}">${m(v.vat)}</td><td style="${num}">${m(v.gross)}</td></tr>`).join('');
  const tenders = r.tenders
    .map((t) => `<tr><td style="${td}">${esc(t.kind === 'refund' ? `${w.refund}: ${tenderLabel(t, r.locale)}` : tenderLabel(t, r.locale))}</td><td style="${num}">${m(t.kind === 'refund' ? -t.amount : t.amount)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="${r.locale}"><head><meta charset="utf-8"><title>${esc(confirmationSubject(r))}</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;color:#222;max-width:640px;margin:0 auto;padding:16px">
<p>${esc(w.thanks)}</p>
<h1 style="font-size:20px;margin:16px 0 4px">${esc(r.shop.name)}</h1>
<p style="margin:0;color:#555">${r.shop.address.map(esc).join('<br>')}${r.shop.vatNumber ? `<br>${esc(w.vatNumber)}: ${esc(r.shop.vatNumber)}` : ''}</p>
<p><strong>${esc(w.order)}:</strong> ${esc(r.number)}<br><strong>${esc(w.date)}:</strong> ${esc(dateTime(r))}${r.store ? `<br><strong>${esc(w.store)}:</strong> ${esc(r.store.name)}` : ''}</p>
<table style="border-collapse:collapse;width:100%">
<thead><tr><th style="${td}text-align:left">${esc(w.item)}</th><th style="${num}">${esc(w.quantity)}</th><th style="${num}">${esc(w.unitPrice)}</th><th style="${num}">${esc(w.vat)}</th><th style="${num}">${esc(w.amount)}</th></tr></thead>
<tbody>${lines}
${total(w.subtotal, r.subtotal)}${r.discountTotal ? total(w.discount, -r.discountTotal) : ''}${r.shippingTotal ? total(w.shipping, r.shippingTotal) : ''}${total(w.total, r.total, true)}${total(w.netTotal, r.netTotal)}
</tbody></table>
<h2 style="font-size:16px;margin:20px 0 4px">${esc(w.vatTitle)}</h2>
<table style="border-collapse:collapse;width:100%">
<thead><tr><th style="${td}text-align:left">${esc(w.vatRate)}</th><th style="${num}">${esc(w.net)}</th><th style="${num}">${esc(w.vat)}</th><th style="${num}">${esc(w.gross)}</th></tr></thead>
<tbody>${vatRows}<tr><td style="${td}font-weight:bold">${esc(w.totalVat)}</td><td style="${num}">${m(r.vat.net)}</td><td style="${num}font-weight:bold">${m(r.vat.vat)}</td><td style="${num}">${m(r.vat.gross)}</td></tr></tbody></table>
${tenders ? `<h2 style="font-size:16px;margin:20px 0 4px">${esc(w.paidWith)}</h2><table style="border-collapse:collapse;width:100%"><tbody>${tenders}</tbody></table>` : ''}
${link ? `<p style="margin-top:20px"><a href="${esc(link)}">${esc(w.viewOnline)}</a></p>` : ''}
<p style="color:#666;font-size:12px">${esc(w.footer)}</p>
</body></html>`;
}

export function receiptEmail(r: Receipt, publicUrl: string) {
  const link = orderPageUrl(r, publicUrl);
  return { subject: confirmationSubject(r), text: receiptText(r, link), html: receiptHtml(r, link) };
}
