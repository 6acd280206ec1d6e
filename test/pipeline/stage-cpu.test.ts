import { StageCpuAccountant } from '../../shared/pipeline/stage-cpu';

/** Burns about `ms` of this process's CPU. */
function burn(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const d = process.cpuUsage(start);
    if ((d.user + d.system) / 1000 >= ms) return;
  }
}
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

describe('StageCpuAccountant', () => {
  test('a lone span gets the CPU spent while it ran; CPU outside every span is charged to none', () => {
    const acc = new StageCpuAccountant();
    burn(10); // before any span: charged to none
    const t0 = cpuUs();
    const span = acc.start();
    burn(20);
    const us = acc.end(span);
    const spent = cpuUs() - t0;
    expect(us).toBeGreaterThanOrEqual(19_000);
    expect(us).toBeLessThanOrEqual(spent);
  });

  test('overlapping spans share the overlap and never count CPU twice', () => {
    const acc = new StageCpuAccountant();
    const t0 = cpuUs();
    const a = acc.start();
    burn(20);
    const b = acc.start();
    burn(20);
    const aUs = acc.end(a);
    burn(20);
    const bUs = acc.end(b);
    const spent = cpuUs() - t0;
    expect(aUs + bUs).toBeLessThanOrEqual(spent);
    expect(aUs + bUs).toBeGreaterThanOrEqual(59_000);
    // a: 20 alone + half of the 20 shared; b: half of the shared + 20 alone.
    expect(aUs).toBeGreaterThan(25_000);
    expect(bUs).toBeGreaterThan(25_000);
  });
});
