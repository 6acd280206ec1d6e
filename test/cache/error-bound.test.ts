import { DEFAULT_ERROR_BOUND, checksBeforeRelaxing, nextThreshold, wilsonInterval } from '../../shared/levers/cache/quality/error-bound';

describe('verified cache error bound', () => {
  test('the Wilson interval contains the observed rate and narrows with more checks', () => {
    const few = wilsonInterval(1, 10, 1.645);
    const many = wilsonInterval(10, 100, 1.645);
    for (const i of [few, many]) {
      expect(i.low).toBeLessThan(0.1);
      expect(i.high).toBeGreaterThan(0.1);
    }
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
    expect(wilsonInterval(0, 0, 1.645)).toEqual({ low: 0, high: 1 });
  });

  test('a disagreeing check tightens past the failed score at once; agreeing checks relax only once the bound holds, slowly, down to a floor', () => {
    const c = DEFAULT_ERROR_BOUND;
    expect(nextThreshold({ checked: 5, disagreed: 1, threshold: 0.95 }, false, 0.97, 0.95, c)).toBeCloseTo(0.99);
    expect(nextThreshold({ checked: 5, disagreed: 1, threshold: 0.995 }, false, 0.99, 0.95, c)).toBe(0.999);
    // Too few checks: the upper bound is above 2 %, no relaxing.
    expect(nextThreshold({ checked: 20, disagreed: 0, threshold: 0.95 }, true, 0.96, 0.95, c)).toBe(0.95);
    const n = checksBeforeRelaxing(c);
    expect(n).toBeGreaterThan(100);
    expect(nextThreshold({ checked: n, disagreed: 0, threshold: 0.95 }, true, 0.96, 0.95, c)).toBeCloseTo(0.948);
    expect(nextThreshold({ checked: 10 * n, disagreed: 0, threshold: 0.85 }, true, 0.96, 0.95, c)).toBeCloseTo(0.85);
    // One failure in n checks keeps the bound above 2 %: no relaxing.
    expect(nextThreshold({ checked: n, disagreed: 1, threshold: 0.95 }, true, 0.96, 0.95, c)).toBe(0.95);
  });
});
