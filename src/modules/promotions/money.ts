// Integer cent arithmetic for the promotion engine. Every division rounds half away from zero, or
// (when a sum must be split) uses the largest-remainder method so the parts add up exactly.
// Products that would leave the range where doubles are exact (2^53) are done in BigInt.

/** floor(a·b / c) and the remainder, for a, b ≥ 0 and c > 0 (integers). */
function mulDivFloor(a: number, b: number, c: number): [number, number] {
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    let q = Math.floor(p / c);
    let r = p - q * c;
    // p / c is a rounded double; correct by one when it landed on the wrong side of an integer.
    if (r < 0) {
      q -= 1;
      r += c;
    } else if (r >= c) {
      q += 1;
      r -= c;
    }
    return [q, r];
  }
  const P = BigInt(a) * BigInt(b);
  const C = BigInt(c);
  return [Number(P / C), Number(P % C)];
}

/** a·b / c rounded half away from zero, for integers a, b ≥ 0 and c > 0. */
export function mulDivRound(a: number, b: number, c: number): number {
  const [q, r] = mulDivFloor(a, b, c);
  return 2 * r >= c ? q + 1 : q;
}

/**
 * Splits `total` (≥ 0) over `weights` (≥ 0) proportionally with the largest-remainder method: each
 * part first gets floor(total·w/W), the cents left over go one each to the largest remainders
 * (ties: the earlier index). The parts sum exactly to `total`, and when total ≤ W no part exceeds
 * its weight.
 */
export function allocateLargestRemainder(total: number, weights: number[]): number[] {
  const n = weights.length;
  const parts = new Array<number>(n).fill(0);
  let sum = 0;
  for (const w of weights) sum += w;
  if (total === 0 || sum === 0) return parts;
  const rems = new Array<number>(n);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const [q, r] = mulDivFloor(total, weights[i], sum);
    parts[i] = q;
    rems[i] = r;
    given += q;
  }
  let left = total - given;
  if (left > 0) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rems[b] - rems[a] || a - b);
    for (let k = 0; left > 0; k++, left--) parts[order[k % n]] += 1;
  }
  return parts;
}

/** €12.50 — for messages only; amounts themselves stay integer cents. */
export function formatEuro(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100);
  const rest = abs - euros * 100;
  return `${sign}€${euros}.${rest < 10 ? '0' : ''}${rest}`;
}

/** 20% or 12.5% — percent values have at most two decimals. */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
