import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalGtin, completeGtin13, gtinCheckDigit, gtinProblem } from './gtin.js';

describe('GTIN check digits', () => {
  it('accepts real codes of every length', () => {
    expect(gtinProblem('4006381333931')).toBeUndefined(); // EAN-13
    expect(gtinProblem('96385074')).toBeUndefined(); // EAN-8
    expect(gtinProblem('036000291452')).toBeUndefined(); // UPC-A
    expect(gtinProblem('10012345678902')).toBeUndefined(); // GTIN-14
  });

  it('names what is wrong', () => {
    expect(gtinProblem('4006381333932')).toBe('bad_check_digit');
    expect(gtinProblem('400638133393')).toBe('bad_check_digit');
    expect(gtinProblem('12345')).toBe('wrong_length');
    expect(gtinProblem('40063813339A1')).toBe('not_digits');
  });

  it('finds a UPC-A and its EAN-13 form under the same key', () => {
    expect(canonicalGtin('036000291452')).toBe(canonicalGtin('0036000291452'));
    expect(canonicalGtin('036000291452')).toBe('00036000291452');
    expect(canonicalGtin('036000291453')).toBeUndefined();
  });

  it('detects every single-digit error (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), fc.nat(11), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const code = completeGtin13(body);
        expect(gtinProblem(code)).toBeUndefined();
        const digits = code.split('');
        digits[pos] = String((Number(digits[pos]) + delta) % 10);
        expect(gtinProblem(digits.join(''))).toBe('bad_check_digit');
      }),
    );
    expect(gtinCheckDigit('400638133393')).toBe(1);
  });
});
