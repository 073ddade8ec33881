// Forecast accuracy on the real data set: weekly demand per stock code from the UCI Online Retail
// file, the last `holdout` weeks held out; our method (SES or Croston/SBA by the ADI rule) against
// the naive forecast (the last observed week, repeated), both scored as MASE over the holdout, so
// the two are on one scale and a ratio below 1 means ours is better.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { forecastDemand, mase } from './forecast.js';

export interface AccuracyReport {
  skus: number;
  weeks: number;
  holdoutWeeks: number;
  ours: { mase: number; mae: number };
  naive: { mase: number; mae: number };
  ratio: number;
  byMethod: Record<string, { skus: number; mase: number; naiveMase: number }>;
}

const WEEK_MS = 7 * 86400_000;

export async function weeklyDemandFromOnlineRetail(file: string) {
  const raw = createReadStream(file);
  const src = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const parser = src.pipe(parse({ columns: true, relax_quotes: true, skip_empty_lines: true }));
  const start = Date.UTC(2010, 10, 29); // the Monday before the first invoice (2010-12-01)
  const byCode = new Map<string, Map<number, number>>();
  let maxWeek = 0;
  for await (const r of parser as AsyncIterable<Record<string, string>>) {
    if (r.InvoiceNo.startsWith('C') || r.InvoiceNo.startsWith('A')) continue;
    const qty = Number(r.Quantity);
    if (!(qty > 0) || !(Number(r.UnitPrice) > 0)) continue;
    const code = r.StockCode.trim().toUpperCase();
    if (!/^\d{5}[A-Z]*$/.test(code)) continue;
    const t = Date.parse(`${r.InvoiceDate.replace(' ', 'T')}Z`);
    const week = Math.floor((t - start) / WEEK_MS);
    maxWeek = Math.max(maxWeek, week);
    const m = byCode.get(code) ?? new Map<number, number>();
    m.set(week, (m.get(week) ?? 0) + qty);
    byCode.set(code, m);
  }
  // The last week of the full file is cut off (the data ends on a Friday): leave it out, unless
  // the file covers only one week.
  const weeks = maxWeek > 0 ? maxWeek : 1;
  const series = new Map<string, number[]>();
  for (const [code, m] of byCode) {
    const y = new Array(weeks).fill(0);
    for (const [w, q] of m) if (w < weeks) y[w] += q;
    series.set(code, y);
  }
  return { series, weeks };
}

export function evaluateForecasts(series: Map<string, number[]>, holdout = 8, minTrainingDemandWeeks = 4): AccuracyReport {
  let oursScaled = 0;
  let naiveScaled = 0;
  let oursAbs = 0;
  let naiveAbs = 0;
  let n = 0;
  let points = 0;
  const byMethod: Record<string, { skus: number; sum: number; naiveSum: number }> = {};
  let weeks = 0;
  for (const y of series.values()) {
    weeks = y.length;
    const train = y.slice(0, y.length - holdout);
    const test = y.slice(y.length - holdout);
    // Scoring needs a history with some movement; codes first sold inside the holdout are skipped.
    if (train.filter((v) => v > 0).length < minTrainingDemandWeeks) continue;
    const f = forecastDemand(train);
    const ours = new Array(holdout).fill(f.perPeriod);
    const naive = new Array(holdout).fill(train[train.length - 1]);
    const mOurs = mase(test, ours, train);
    const mNaive = mase(test, naive, train);
    if (!Number.isFinite(mOurs) || !Number.isFinite(mNaive)) continue;
    oursScaled += mOurs;
    naiveScaled += mNaive;
    oursAbs += test.reduce((s, a) => s + Math.abs(a - f.perPeriod), 0);
    naiveAbs += test.reduce((s, a) => s + Math.abs(a - train[train.length - 1]), 0);
    points += holdout;
    n++;
    const b = (byMethod[f.method] ??= { skus: 0, sum: 0, naiveSum: 0 });
    b.skus++;
    b.sum += mOurs;
    b.naiveSum += mNaive;
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    skus: n,
    weeks,
    holdoutWeeks: holdout,
    ours: { mase: round(oursScaled / n), mae: round(oursAbs / points) },
    naive: { mase: round(naiveScaled / n), mae: round(naiveAbs / points) },
    ratio: round(oursScaled / naiveScaled),
    byMethod: Object.fromEntries(Object.entries(byMethod).map(([k, b]) => [k, { skus: b.skus, mase: round(b.sum / b.skus), naiveMase: round(b.naiveSum / b.skus) }])),
  };
}
