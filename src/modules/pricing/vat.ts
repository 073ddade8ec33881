// VAT for VAT-inclusive (B2C) prices in the Benelux. A product has a tax class; the country where
// the sale is taxed decides the rate. Rounding is per line: the VAT in a line is its total × r/(100+r),
// rounded half away from zero to the cent; the breakdown per rate is the sum of its lines, so the
// receipt's per-rate figures always add up to the lines above them.

export const TAX_CLASSES = ['standard', 'intermediate', 'reduced', 'zero'] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];
export const COUNTRIES = ['NL', 'BE'] as const;
export type Country = (typeof COUNTRIES)[number];

/**
 * Rates in basis points (2100 = 21 %). Belgium has two reduced rates: 12 % ("intermediate": e.g.
 * restaurant meals, some energy) and 6 % (food, books, medicines). The Netherlands has one, 9 %,
 * which applies to both reduced classes.
 */
export const VAT_RATES: Record<Country, Record<TaxClass, number>> = {
  NL: { standard: 2100, intermediate: 900, reduced: 900, zero: 0 },
  BE: { standard: 2100, intermediate: 1200, reduced: 600, zero: 0 },
};

export function vatRate(country: Country, taxClass: TaxClass): number {
  return VAT_RATES[country][taxClass];
}

/** Integer division of a/b rounded half away from zero. */
export function divRound(a: number, b: number): number {
  const q = Math.trunc(a / b);
  const r = a - q * b;
  if (2 * Math.abs(r) >= Math.abs(b)) return q + Math.sign(a) * Math.sign(b);
  return q;
}

/** The VAT contained in a VAT-inclusive amount (cents) at a rate in basis points. */
export function vatIncluded(grossCents: number, rateBp: number): number {
  if (!Number.isInteger(grossCents)) throw new Error('amounts are integer cents');
  return divRound(grossCents * rateBp, 10000 + rateBp);
}

export interface VatLine {
  gross: number;
  taxClass: TaxClass;
}

export interface VatBreakdownRow {
  rate: number; // basis points
  gross: number;
  net: number;
  vat: number;
}

/** Per-rate breakdown for a receipt, highest rate first. */
export function vatBreakdown(country: Country, lines: VatLine[]): { rows: VatBreakdownRow[]; gross: number; net: number; vat: number } {
  const byRate = new Map<number, VatBreakdownRow>();
  for (const l of lines) {
    const rate = vatRate(country, l.taxClass);
    const vat = vatIncluded(l.gross, rate);
    const row = byRate.get(rate) ?? { rate, gross: 0, net: 0, vat: 0 };
    row.gross += l.gross;
    row.vat += vat;
    row.net += l.gross - vat;
    byRate.set(rate, row);
  }
  const rows = [...byRate.values()].sort((a, b) => b.rate - a.rate);
  return {
    rows,
    gross: rows.reduce((s, r) => s + r.gross, 0),
    net: rows.reduce((s, r) => s + r.net, 0),
    vat: rows.reduce((s, r) => s + r.vat, 0),
  };
}

/** Price excluding VAT, for B2B reports. */
export function netOf(grossCents: number, country: Country, taxClass: TaxClass): number {
  return grossCents - vatIncluded(grossCents, vatRate(country, taxClass));
}
