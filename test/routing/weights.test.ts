import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_WEIGHTS_PATH, loadWeightsFile, parseWeightsFile } from '../../shared/levers/routing/weights-file';
import { FEATURE_VERSION } from '../../shared/levers/routing/features';
import { LinearModel } from '../../shared/levers/routing/model';

describe('shipped weights file', () => {
  it('loads, validates and matches the feature code', () => {
    const file = loadWeightsFile();
    expect(file.header.name).toBe('parsimony-complexity-router');
    expect(file.header.feature_version).toBe(FEATURE_VERSION);
    expect(file.header.script).toBe('scripts/routing/train.ts');
    expect(file.header.data.length).toBeGreaterThanOrEqual(3);
    expect(file.w.length).toBeGreaterThan(100);
    expect(file.calibration.quantiles.length).toBeGreaterThanOrEqual(101);
    expect(() => LinearModel.fromFile(file)).not.toThrow();
  });

  it('stays under 1 MB', () => {
    expect(statSync(DEFAULT_WEIGHTS_PATH).size).toBeLessThan(1024 * 1024);
  });

  it('names its provenance and carries the held-out choices (leave-one-domain-out report, quality curve, OOD threshold)', () => {
    const file = loadWeightsFile();
    // Every dev domain is trained on; leave-one-domain-out does the holding out.
    expect(file.header.validation_domains).toEqual([]);
    expect(file.header.metrics.lodo).toMatchObject({ domains: expect.any(Number), apgr: expect.any(Number) });
    // Monotone (a larger share never promises less), reaching at least all-frontier quality: it ends above 1 when
    // some held-out share routed better than all-frontier (the running maximum carries that to share 1).
    const q = file.quality_curve!.quality;
    q.slice(1).forEach((x, i) => expect(x).toBeGreaterThanOrEqual(q[i]));
    expect(q.at(-1)).toBeGreaterThanOrEqual(1);
    expect(file.ood).toMatchObject({ encoder: expect.any(String), fire_rate: 0.02 });
    for (const d of file.header.data) expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('weights validation', () => {
  const good = JSON.parse(readFileSync(DEFAULT_WEIGHTS_PATH, 'utf8'));

  it('rejects gaps/w of different lengths', () => {
    expect(() => parseWeightsFile({ ...good, w: good.w.slice(1) })).toThrow(/same length/);
  });

  it('rejects decreasing quantiles', () => {
    const q = [...good.calibration.quantiles].reverse();
    expect(() => parseWeightsFile({ ...good, calibration: { ...good.calibration, quantiles: q } })).toThrow(/non-decreasing/);
  });

  it('rejects indexes outside the hash space and unknown keys', () => {
    expect(() => parseWeightsFile({ ...good, gaps: [2 ** good.bits, ...good.gaps.slice(1)] })).toThrow(/out of range/);
    expect(() => parseWeightsFile({ ...good, extra: 1 })).toThrow();
  });

  it('refuses weights trained for another feature version', () => {
    const file = parseWeightsFile({ ...good, header: { ...good.header, feature_version: FEATURE_VERSION + 1 } });
    expect(() => LinearModel.fromFile(file)).toThrow(/feature version/);
  });
});
