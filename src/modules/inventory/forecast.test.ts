import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageDemandInterval, forecastDemand, mase, normalQuantile, reorderAdvice } from './forecast.js';

describe('demand forecast', () => {
  it('uses exponential smoothing for steady demand and follows its level', () => {
    const f = forecastDemand([10, 12, 9, 11, 10, 13, 10, 11, 12, 10]);
    expect(f.method).toBe('ses');
    expect(f.perPeriod).toBeGreaterThan(9.5);
    expect(f.perPeriod).toBeLessThan(12);
    expect(f.sigma).toBeGreaterThan(0);
  });

  it('uses Croston/SBA for intermittent demand, forecasting the average rate, not the spikes', () => {
    const y = [0, 0, 6, 0, 0, 0, 6, 0, 0, 6, 0, 0, 0, 6, 0, 0];
    expect(averageDemandInterval(y)).toBe(4);
    const f = forecastDemand(y);
    expect(f.method).toBe('sba');
    // About 6 every 3.75 weeks, a little lower for SBA's bias correction.
    expect(f.perPeriod).toBeGreaterThan(1.2);
    expect(f.perPeriod).toBeLessThan(1.7);
  });

  it('forecasts nothing without any demand', () => {
    expect(forecastDemand([0, 0, 0]).method).toBe('none');
    expect(forecastDemand([]).perPeriod).toBe(0);
  });

  it('never forecasts negative or non-finite demand (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }), (y) => {
        const f = forecastDemand(y);
        expect(f.perPeriod).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(f.perPeriod)).toBe(true);
        expect(f.perPeriod).toBeLessThanOrEqual(Math.max(...y));
      }),
    );
  });
});

describe('reorder point and suggested order', () => {
  it('knows the normal quantiles used for service levels', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6449, 3);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263, 3);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
  });

  it('orders up to cover lead time, safety stock and the review period, in whole packs and at least the minimum', () => {
    const forecast = { method: 'ses' as const, alpha: 0.2, perPeriod: 10, sigma: 4, adi: 1, periods: 30 };
    const a = reorderAdvice({ forecast, leadTime: 4, serviceLevel: 0.95, onHand: 30, reserved: 5, incoming: 0, packSize: 12, minimumOrder: 48 });
    // safety = ceil(1.645 × 4 × 2) = 14; ROP = 40 + 14 = 54; up-to = 64; position 25 → 39 → 4 packs = 48.
    expect(a).toMatchObject({ safetyStock: 14, reorderPoint: 54, orderUpTo: 64, position: 25, suggestedQuantity: 48 });
    const enough = reorderAdvice({ forecast, leadTime: 4, serviceLevel: 0.95, onHand: 80, reserved: 0, incoming: 0 });
    expect(enough.suggestedQuantity).toBe(0);
    const moq = reorderAdvice({ forecast, leadTime: 1, serviceLevel: 0.9, onHand: 0, reserved: 0, incoming: 0, minimumOrder: 100, packSize: 24 });
    expect(moq.suggestedQuantity).toBe(120);
    expect(moq.reason).toContain('minimum');
  });

  it('scores forecasts against the naive method (MASE)', () => {
    expect(mase([10, 10], [10, 10], [8, 12, 8, 12])).toBe(0);
    expect(mase([12, 8], [10, 10], [8, 12, 8, 12])).toBeCloseTo(0.5, 6);
  });
});
