// Demand forecasting and reorder maths, pure functions over a series of demand per period (weeks).
//
// Method choice (documented in docs/inventory.md): the average demand interval (ADI: periods per
// period with demand) decides. ADI ≤ 1.32 means demand comes in most periods: simple exponential
// smoothing (SES). ADI > 1.32 means intermittent demand: Croston's method with the Syntetos–Boylan
// approximation (SBA), which removes Croston's upward bias. The 1.32 cut-off is Syntetos, Boylan and
// Croston's (2005) classification. The smoothing constant is picked from a small grid by the lowest
// in-sample one-step-ahead squared error.

export type Method = 'ses' | 'sba' | 'none';

export interface Forecast {
  method: Method;
  alpha: number;
  /** Expected demand per period. */
  perPeriod: number;
  /** Standard deviation of the one-step-ahead errors, per period. */
  sigma: number;
  adi: number;
  periods: number;
}

const ALPHAS = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5];
export const ADI_CUTOFF = 1.32;

/** One-step-ahead SES forecasts: f[t] is the forecast for period t made after period t−1. */
function sesPath(y: number[], alpha: number): number[] {
  const f: number[] = [];
  let level = y[0];
  for (let t = 0; t < y.length; t++) {
    f.push(level);
    level = alpha * y[t] + (1 - alpha) * level;
  }
  f.push(level);
  return f;
}

/** One-step-ahead Croston/SBA forecasts. */
function sbaPath(y: number[], alpha: number): number[] {
  const f: number[] = [];
  const first = y.findIndex((v) => v > 0);
  let size = first >= 0 ? y[first] : 0;
  let interval = first >= 0 ? first + 1 : 1;
  let since = 0;
  const correction = 1 - alpha / 2;
  for (let t = 0; t < y.length; t++) {
    // Before the first demand there is nothing to go on: forecast 0.
    f.push(first >= 0 && t > first ? (correction * size) / interval : 0);
    since++;
    if (y[t] > 0 && t > first) {
      size = alpha * y[t] + (1 - alpha) * size;
      interval = alpha * since + (1 - alpha) * interval;
      since = 0;
    } else if (t === first) {
      since = 0;
    }
  }
  f.push(first >= 0 ? (correction * size) / interval : 0);
  return f;
}

function sse(y: number[], f: number[], skip: number) {
  let s = 0;
  for (let t = skip; t < y.length; t++) s += (y[t] - f[t]) ** 2;
  return s;
}

export function averageDemandInterval(y: number[]): number {
  const nonZero = y.filter((v) => v > 0).length;
  return nonZero ? y.length / nonZero : Infinity;
}

export function forecastDemand(series: number[]): Forecast {
  const y = series.map((v) => Math.max(0, v));
  const adi = averageDemandInterval(y);
  if (!Number.isFinite(adi) || y.length === 0) return { method: 'none', alpha: 0, perPeriod: 0, sigma: 0, adi, periods: y.length };
  const method: Method = adi > ADI_CUTOFF ? 'sba' : 'ses';
  const path = method === 'ses' ? sesPath : sbaPath;
  const skip = Math.min(1, y.length - 1);
  let best = { alpha: ALPHAS[0], err: Infinity, f: [] as number[] };
  for (const alpha of ALPHAS) {
    const f = path(y, alpha);
    const err = sse(y, f, skip);
    if (err < best.err) best = { alpha, err, f };
  }
  const n = Math.max(1, y.length - skip);
  return { method, alpha: best.alpha, perPeriod: best.f[y.length], sigma: Math.sqrt(best.err / n), adi, periods: y.length };
}

/** Inverse of the standard normal CDF (Acklam's rational approximation; error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('service level must be between 0 and 1');
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export interface ReorderInput {
  forecast: Forecast;
  /** Lead time in periods (weeks). */
  leadTime: number;
  serviceLevel: number;
  /** How often orders are placed, in periods: the order covers it. */
  reviewPeriod?: number;
  onHand: number;
  reserved: number;
  incoming: number;
  packSize?: number;
  minimumOrder?: number;
}

export interface ReorderAdvice {
  safetyStock: number;
  reorderPoint: number;
  orderUpTo: number;
  position: number;
  suggestedQuantity: number;
  reason: string;
}

/**
 * Reorder point = expected demand over the lead time + safety stock, with safety stock =
 * z(service level) × σ × √(lead time). When the stock position (on hand + incoming − reserved) is at
 * or below the reorder point, order up to reorder point + demand over the review period, rounded up
 * to the pack size and to at least the supplier's minimum.
 */
export function reorderAdvice(i: ReorderInput): ReorderAdvice {
  const z = normalQuantile(i.serviceLevel);
  const safetyStock = Math.ceil(z * i.forecast.sigma * Math.sqrt(i.leadTime));
  const reorderPoint = Math.ceil(i.forecast.perPeriod * i.leadTime) + safetyStock;
  const orderUpTo = reorderPoint + Math.ceil(i.forecast.perPeriod * (i.reviewPeriod ?? 1));
  const position = i.onHand + i.incoming - i.reserved;
  if (position > reorderPoint || i.forecast.perPeriod === 0) {
    return { safetyStock, reorderPoint, orderUpTo, position, suggestedQuantity: 0, reason: i.forecast.perPeriod === 0 ? 'no demand expected' : `position ${position} is above the reorder point ${reorderPoint}` };
  }
  const pack = Math.max(1, i.packSize ?? 1);
  let qty = Math.max(0, orderUpTo - position);
  qty = Math.ceil(qty / pack) * pack;
  const notes = [`position ${position} ≤ reorder point ${reorderPoint}: order up to ${orderUpTo}`];
  if (pack > 1) notes.push(`rounded up to packs of ${pack}`);
  if (i.minimumOrder && qty < i.minimumOrder) {
    qty = Math.ceil(i.minimumOrder / pack) * pack;
    notes.push(`raised to the supplier minimum of ${i.minimumOrder}`);
  }
  return { safetyStock, reorderPoint, orderUpTo, position, suggestedQuantity: qty, reason: notes.join('; ') };
}

/** Mean absolute scaled error against the in-sample naive (last period) forecast (Hyndman & Koehler 2006). */
export function mase(actual: number[], forecast: number[], training: number[]): number {
  let naive = 0;
  for (let t = 1; t < training.length; t++) naive += Math.abs(training[t] - training[t - 1]);
  naive /= Math.max(1, training.length - 1);
  const mae = actual.reduce((s, a, t) => s + Math.abs(a - forecast[t]), 0) / actual.length;
  return naive === 0 ? (mae === 0 ? 0 : Infinity) : mae / naive;
}
