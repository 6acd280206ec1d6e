import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile this reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where a sample's time goes, decided from its stack (leaf first). Library
 * frames are attributed to the product caller that asked for them where that
 * matters (Redis traffic by owner), so the table reads as "what the product
 * spends CPU on", not "which package's code was on top".
 */
const RULES: [string, (urls: string[], names: string[]) => boolean][] = [
  ['gc', (_u, n) => n[0] === '(garbage collector)'],
  ['redis: job records (create/transition/get)', (u) => has(u, 'ioredis') && has(u, 'shared/core/jobs/')],
  ['redis: cache (exact tier, single-flight, entries)', (u) => has(u, 'ioredis') && has(u, 'shared/levers/cache/') && !has(u, 'bullmq')],
  ['redis: BullMQ queues (add, fetch, finish)', (u) => has(u, 'bullmq')],
  ['redis: other', (u) => has(u, 'ioredis')],
  ['provider call (openai SDK + fetch)', (u) => has(u, 'openai/') || has(u, 'anthropic-ai/') || has(u, 'undici')],
  ['routing (features, model)', (u) => has(u, 'shared/levers/routing/')],
  ['cache embedding + vector index', (u) => has(u, 'shared/levers/cache/embedders') || has(u, 'shared/levers/cache/stores') || has(u, 'hnswlib')],
  ['request validation / mapping (zod)', (u) => has(u, 'zod/') || has(u, 'shared/messages/')],
  ['metrics (prom-client)', (u) => has(u, 'prom-client')],
  ['logging (pino)', (u) => has(u, 'pino')],
  ['HTTP server (express, body parsing)', (u) => has(u, 'express') || has(u, 'router/') || has(u, 'body-parser') || has(u, 'raw-body') || has(u, '_http_server') || has(u, 'helmet')],
  ['other product code', (u) => has(u, 'parsimony-bench/dist/')],
];

function has(urls: string[], part: string): boolean {
  return urls.some((u) => u.includes(part));
}

export interface ProfileBreakdown {
  /** CPU time sampled (idle excluded), ms. */
  busy_ms: number;
  /** Share of the busy time per component, in %. */
  components: Record<string, number>;
  /** Top self-time functions (file:line), in % of busy time. */
  top_self: { fn: string; pct: number }[];
}

/**
 * Breaks a .cpuprofile into product components. Samples whose stack is
 * start-up (module loading) or idle are left out, so the figure is the
 * steady-state cost of the load that ran.
 */
export function analyseCpuProfile(path: string): ProfileBreakdown {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map<number, number>();
  p.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));

  const components = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of time) {
    const urls: string[] = [];
    const names: string[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const f = byId.get(x)!.callFrame;
      urls.push(f.url);
      names.push(f.functionName);
    }
    if (names[0] === '(idle)' || names[0] === '(program)' || names.includes('Module._compile') || names.includes('Module._load')) continue;
    busy += us;
    const rule = RULES.find(([, match]) => match(urls, names));
    const name = rule ? rule[0] : 'node internals (net, streams, timers)';
    components.set(name, (components.get(name) ?? 0) + us);
    const leaf = byId.get(id)!.callFrame;
    const where = leaf.url.includes('/dist/') ? leaf.url.split('/dist/')[1] : leaf.url.includes('node_modules/') ? leaf.url.split('node_modules/').pop()! : leaf.url;
    const key = `${leaf.functionName || '(anonymous)'} ${where}:${leaf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10;
  return {
    busy_ms: Math.round(busy / 1000),
    components: Object.fromEntries([...components].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, pct(v)])),
    top_self: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, us]) => ({ fn, pct: pct(us) })),
  };
}
