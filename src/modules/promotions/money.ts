// Integer cent arithmetic for the promotion engine. Every division rounds half away from zero, or
// (when a sum must be split) uses the largest-remainder method so the parts add up exactly.
// Products that would leave the range where doubles are exact (2^53) are done in BigInt.

/** floor(a·b / c) for integers a, b ≥ 0 and c > 0. */
function mulDivFloor(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isSafeInteger(p)) return Number((BigInt(a) * BigInt(b)) / BigInt(c));
  const q = Math.floor(p / c);
  // p / c is a rounded double; correct by one when it landed on the wrong side of an integer.
  const r = p - q * c;
  return r < 0 ? q - 1 : r >= c ? q + 1 : q;
}

/** a·b − q·c: the remainder that goes with q = floor(a·b / c). */
function remainder(a: number, b: number, c: number, q: number): number {
  const p = a * b;
  return Number.isSafeInteger(p) ? p - q * c : Number(BigInt(a) * BigInt(b) - BigInt(q) * BigInt(c));
}

/** a·b / c rounded half away from zero, for integers a, b ≥ 0 and c > 0. */
export function mulDivRound(a: number, b: number, c: number): number {
  const q = mulDivFloor(a, b, c);
  return 2 * remainder(a, b, c, q) >= c ? q + 1 : q;
}

/**
 * Splits `total` (≥ 0) over `weights` (≥ 0) proportionally with the largest-remainder method: each
 * part first gets floor(total·w/W), the cents left over go one each to the largest remainders
 * (ties: the smaller key, by default the index). The parts sum exactly to `total`, and when
 * total ≤ W no part exceeds its weight.
 */
export function allocateLargestRemainder(total: number, weights: readonly number[], keys?: readonly number[]): number[] {
  const n = weights.length;
  const parts = new Array<number>(n).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i];
  if (total === 0 || sum === 0) return parts;
  const rems = new Array<number>(n);
  let left = total;
  for (let i = 0; i < n; i++) {
    const q = mulDivFloor(total, weights[i], sum);
    parts[i] = q;
    rems[i] = remainder(total, weights[i], sum, q);
    left -= q;
  }
  if (left === 0) return parts;
  if (n > 64) {
    // Large carts: one sort instead of repeated scans.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rems[b] - rems[a] || (keys ? keys[a] - keys[b] : a - b));
    for (let k = 0; left > 0; k++, left--) parts[order[k % n]] += 1;
    return parts;
  }
  // The leftover is below n when total ≤ W. Pick the largest remainders one by one; a part that got
  // its cent is marked with remainder -1 (the loop wraps around only when total > W).
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (rems[i] < 0) continue;
      if (best < 0 || rems[i] > rems[best] || (rems[i] === rems[best] && (keys ? keys[i] < keys[best] : i < best))) best = i;
    }
    if (best < 0) {
      rems.fill(0);
      continue;
    }
    parts[best] += 1;
    rems[best] = -1;
    left--;
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
