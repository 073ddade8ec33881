import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRound, netOf, vatBreakdown, vatIncluded } from './vat.js';

describe('VAT on VAT-inclusive prices', () => {
  it('takes the VAT out of a gross price, rounding half away from zero', () => {
    expect(vatIncluded(1210, 2100)).toBe(210); // €12.10 incl. 21 % = €10.00 + €2.10
    expect(vatIncluded(109, 900)).toBe(9); // €1.09 incl. 9 %
    expect(vatIncluded(100, 2100)).toBe(17); // 17.355… → 17
    expect(vatIncluded(-1210, 2100)).toBe(-210); // refunds mirror sales
    expect(divRound(5, 2)).toBe(3);
    expect(divRound(-5, 2)).toBe(-3);
  });

  it('breaks a receipt down per rate so that rows add up to the lines', () => {
    const b = vatBreakdown('BE', [
      { gross: 1999, taxClass: 'standard' },
      { gross: 350, taxClass: 'reduced' },
      { gross: 1250, taxClass: 'intermediate' },
      { gross: 500, taxClass: 'zero' },
      { gross: 1, taxClass: 'standard' },
    ]);
    expect(b.rows.map((r) => r.rate)).toEqual([2100, 1200, 600, 0]);
    expect(b.rows[0]).toEqual({ rate: 2100, gross: 2000, vat: 347 + 0, net: 2000 - 347 });
    expect(b.gross).toBe(4100);
    expect(b.net + b.vat).toBe(b.gross);
  });

  it('uses the Dutch rates in NL: 9 % for both reduced classes', () => {
    expect(netOf(1090, 'NL', 'reduced')).toBe(1000);
    expect(netOf(1090, 'NL', 'intermediate')).toBe(1000);
    expect(netOf(1060, 'BE', 'reduced')).toBe(1000);
  });

  it('never makes net + VAT differ from gross (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gross: fc.integer({ min: -1_000_000, max: 1_000_000 }), taxClass: fc.constantFrom('standard', 'intermediate', 'reduced', 'zero' as const) })), fc.constantFrom('NL', 'BE' as const), (lines, country) => {
        const b = vatBreakdown(country, lines);
        expect(b.net + b.vat).toBe(b.gross);
        for (const r of b.rows) expect(Number.isInteger(r.vat)).toBe(true);
      }),
    );
  });
});
