// GTIN barcodes (EAN-8, UPC-A, EAN-13, GTIN-14): check-digit validation and one canonical form.
// Every GTIN is stored and looked up as 14 digits (left-padded with zeros), so a UPC-A scanned as
// 12 digits finds the same item as its 13-digit EAN form.

export type GtinProblem = 'not_digits' | 'wrong_length' | 'bad_check_digit';

const LENGTHS = new Set([8, 12, 13, 14]);

/** GS1 check digit over the digits before it: weights 3,1,3,1… from the right. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

export function gtinProblem(code: string): GtinProblem | undefined {
  if (!/^\d+$/.test(code)) return 'not_digits';
  if (!LENGTHS.has(code.length)) return 'wrong_length';
  if (gtinCheckDigit(code.slice(0, -1)) !== Number(code[code.length - 1])) return 'bad_check_digit';
  return undefined;
}

export function describeGtinProblem(p: GtinProblem): string {
  switch (p) {
    case 'not_digits':
      return 'a GTIN has digits only';
    case 'wrong_length':
      return 'a GTIN has 8, 12, 13 or 14 digits';
    case 'bad_check_digit':
      return 'the check digit does not match; the code was mistyped or misread';
  }
}

/** The 14-digit form used for storage and lookup; undefined when the code is not a valid GTIN. */
export function canonicalGtin(code: string): string | undefined {
  const trimmed = code.trim();
  return gtinProblem(trimmed) ? undefined : trimmed.padStart(14, '0');
}

/** Makes a valid GTIN-13 from a 12-digit body (used for generated in-store barcodes, prefix 2). */
export function completeGtin13(body12: string): string {
  return body12 + gtinCheckDigit(body12);
}
