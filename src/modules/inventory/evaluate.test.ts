import { describe, expect, it } from 'vitest';
import { evaluateForecasts, weeklyDemandFromOnlineRetail } from './evaluate.js';

describe('forecast evaluation', () => {
  it('builds weekly demand per stock code from the real file, leaving out cancellations', async () => {
    const { series, weeks } = await weeklyDemandFromOnlineRetail('test/fixtures/online-retail-sample.csv');
    expect(weeks).toBeGreaterThanOrEqual(1);
    const heart = series.get('85123A');
    expect(heart).toBeDefined();
    expect(heart!.every((q) => q >= 0)).toBe(true);
  });

  it('scores our forecast and the naive one on the same holdout', () => {
    const steady = new Map([['A', [10, 11, 9, 10, 12, 10, 11, 9, 10, 10, 11, 9, 10, 30, 10, 10]]]);
    const r = evaluateForecasts(steady, 4);
    expect(r.skus).toBe(1);
    // The naive forecast repeats the last training week; a smoothed level is closer here.
    expect(r.ours.mae).toBeLessThanOrEqual(r.naive.mae);
    expect(r.ratio).toBeGreaterThan(0);
  });
});
