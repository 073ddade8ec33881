// Money is integer cents everywhere in the API; people read and type euros.
import i18n from 'i18next';

export function formatMoney(cents: number | null | undefined, currency = 'EUR'): string {
  if (cents === null || cents === undefined) return '—';
  return new Intl.NumberFormat(i18n.language, { style: 'currency', currency }).format(cents / 100);
}

/** "2,55", "2.55", "€ 2,55" or "1.234,50" → 255 / 123450 cents; null when it is not an amount. */
export function parseMoney(input: string): number | null {
  let s = input.replace(/[€\s]/g, '');
  if (!s) return null;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  // The last separator followed by one or two digits is the decimal one; the others group thousands.
  const decimalAt = Math.max(lastComma, lastDot);
  if (decimalAt >= 0 && s.length - decimalAt - 1 <= 2) {
    s = `${s.slice(0, decimalAt).replace(/[.,]/g, '')}.${s.slice(decimalAt + 1)}`;
  } else {
    s = s.replace(/[.,]/g, '');
  }
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

export function formatNumber(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(i18n.language, { maximumFractionDigits: digits }).format(n);
}

/** Cents as the amount someone would type in a field: 250 → "2,50" in Dutch, "2.50" in English. */
export function centsToInput(cents: number | null | undefined, language: string = i18n.language): string {
  if (cents === null || cents === undefined) return '';
  const s = (cents / 100).toFixed(2);
  return language.toLowerCase().startsWith('nl') ? s.replace('.', ',') : s;
}
