/**
 * npm run cache:eval -- --pairs HARD.jsonl [--plain A.jsonl,B.jsonl] [--threshold X]
 *
 * For each {a, b, same} pair: stores an answer for `a` and looks up `b`
 * through the real cache path (see pair-harness.ts: stage, exact tier,
 * embedder, vector store, verifier), one tenant per pair. Prints one JSON
 * line: precision, recall and hit rate for the hard pairs and for the plain
 * paraphrases, the embedder and verifier, the stage's lookup latency, and the
 * verifier's ablation table (from its training: grouped CV on the dev pairs,
 * each feature group retrained without it on both kinds of pairs).
 */
import { percentile } from '../../shared/levers/cache/calibration';
import { arg, PairHarness, readPairs, type Pair } from './pair-harness';

interface Outcome {
  pair: Pair;
  hit: boolean;
  ms: number;
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;

function metrics(outcomes: Outcome[]) {
  const positives = outcomes.filter((o) => o.pair.same).length;
  const hits = outcomes.filter((o) => o.hit);
  const trueHits = hits.filter((o) => o.pair.same).length;
  return {
    pairs: outcomes.length,
    positives,
    hits: hits.length,
    true_hits: trueHits,
    false_hits: hits.length - trueHits,
    precision: hits.length ? r4(trueHits / hits.length) : null,
    recall: positives ? r4(trueHits / positives) : null,
    hit_rate: outcomes.length ? r4(hits.length / outcomes.length) : null,
  };
}

async function run(harness: PairHarness, pairs: Pair[], offset: number, threshold: number | undefined): Promise<Outcome[]> {
  for (let i = 0; i < pairs.length; i++) await harness.storeA(offset + i, pairs[i]);
  const out: Outcome[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const { a, ms } = await harness.lookupB(offset + i, pairs[i], { threshold });
    out.push({ pair: pairs[i], hit: a.hit, ms });
  }
  return out;
}

async function main(): Promise<void> {
  const hardFile = arg('pairs');
  if (!hardFile) throw new Error('usage: npm run cache:eval -- --pairs HARD.jsonl [--plain A.jsonl,B.jsonl] [--threshold X]');
  const plainFiles = arg('plain')?.split(',') ?? [];
  const harness = new PairHarness();
  await harness.init();
  const threshold = arg('threshold') === undefined ? undefined : Number(arg('threshold'));
  try {
    const hard = await run(harness, readPairs(hardFile), 0, threshold);
    const plain = plainFiles.length
      ? await run(
          harness,
          plainFiles.flatMap((f) => readPairs(f)),
          hard.length,
          threshold,
        )
      : [];
    const ms = [...hard, ...plain].map((o) => o.ms);
    // Per-embedding latency on its own (one text per call, as the stage embeds), over the first 2,000 question texts.
    const embedMs: number[] = [];
    for (const o of hard.slice(0, 2000)) {
      const t = performance.now();
      await harness.cache.embedder.embed([o.pair.b]);
      embedMs.push(performance.now() - t);
    }
    const model = harness.cache.verifier.model;
    const trained = (model?.trained ?? {}) as Record<string, unknown>;
    const result = {
      hard: metrics(hard),
      plain: plain.length ? metrics(plain) : undefined,
      threshold: threshold ?? harness.defaultThreshold,
      embedder: harness.cache.embedder.fingerprint,
      verifier: harness.cache.verifier.name,
      verifier_features: model?.features,
      p50_embed_ms: r4(percentile(embedMs, 50)),
      p99_embed_ms: r4(percentile(embedMs, 99)),
      p50_lookup_ms: r4(percentile(ms, 50)),
      p99_lookup_ms: r4(percentile(ms, 99)),
      store: harness.cache.store.kind,
      verifier_grouped_cv: trained.grouped_cv,
      ablation: trained.ablation,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await harness.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
