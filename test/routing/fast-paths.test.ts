import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WordVectorEmbedder } from '../../shared/levers/cache/embedders/word-vector-embedder';
import { extractFeatures } from '../../shared/levers/routing/features';
import { fnv1a, HashOrderSet, mixBlock } from '../../shared/levers/routing/hashing';
import { OodDetector } from '../../shared/levers/routing/ood';
import { summarizeRequest } from '../../shared/levers/routing/request-summary';
import { parseWeightsFile } from '../../shared/levers/routing/weights-file';
import bundledWeights from '../../shared/levers/routing/weights.json';
import { ask } from './helpers';

/**
 * The decision's hot path was made faster without changing a decision (scripts/routing/parity.ts replays
 * the dev data through the old and the new code). These pin the equivalences it rests on, so a later
 * change that breaks one fails here, not silently in the weights' meaning.
 */
const examples = readFileSync(join(__dirname, '../../scripts/routing/examples/task-examples.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as { prompt?: string; turns?: string[] })
  .map((r) => r.prompt ?? r.turns!.join('\n'));

let seed = 88172645;
const rnd = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};

describe('out-of-distribution check with early exit', () => {
  const file = parseWeightsFile(bundledWeights, 'weights.json');
  const centroids = file.ood!.centroids;
  const encoder = WordVectorEmbedder.load({ dataDir: join(tmpdir(), 'parsimony-test-embeddings') });
  const unit = (v: Float32Array) => {
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / n);
  };
  const vectors = [
    ...examples.map((t) => encoder.embedSync(t)),
    ...Array.from({ length: 300 }, () => unit(Float32Array.from({ length: 100 }, () => rnd() - 0.5))),
    encoder.embedSync('Hello!'),
    encoder.embedSync('Nenne mir ein Synonym für schnell.'),
    new Float32Array(100),
  ];

  test.each([file.ood!.threshold, 0.3, 0.9, -1, 2])('isOut(v) is similarity(v) < threshold (%s), in any order of prompts, with the nearest cosine when out', (threshold) => {
    const ood = new OodDetector(centroids, threshold, 0.02);
    const order = [...vectors.keys(), ...vectors.keys()].sort(() => rnd() - 0.5);
    let fired = 0;
    for (const i of order) {
      const full = ood.similarity(vectors[i]);
      const r = ood.isOut(vectors[i]);
      expect(r.out).toBe(full < threshold);
      if (r.out) {
        expect(r.similarity).toBe(full);
        fired++;
      }
    }
    if (threshold === 2) expect(fired).toBe(order.length);
    if (threshold === -1) expect(fired).toBe(0);
  });
});

describe('HashOrderSet', () => {
  test('holds what a Set<number> of the same hashes holds, in the same order, across clears and growth', () => {
    const set = new HashOrderSet();
    for (let round = 0; round < 40; round++) {
      set.clear();
      const reference = new Set<number>();
      const n = round % 5 === 0 ? 5_000 : Math.floor(rnd() * 800);
      for (let k = 0; k < n; k++) {
        const h = rnd() < 0.3 && reference.size ? [...reference][Math.floor(rnd() * reference.size)] : Math.floor(rnd() * 4294967296);
        set.add(h);
        reference.add(h);
      }
      expect(Array.from(set.order.subarray(0, set.size))).toEqual([...reference]);
    }
  });
});

describe('feature hashing', () => {
  const bits = 18;
  const mask = (1 << bits) - 1;
  /** The string a feature's hash is taken over: its name, except that a bigram's words are joined by a space. */
  const hashedText = (name: string) => (name.startsWith('b:') ? `b:${name.slice(2).replace('_', ' ')}` : name);
  const prompts = [...examples, 'Which of the following is NOT a prime?\nA. 2\nB. 9\nC. 11\nD. 13', `${'The committee met again. '.repeat(300)}Summarise.`, '12 + 30 = ?'];

  test('every feature sits at its name’s FNV-1a hash, in the shared block and its format’s block, tokens once each', () => {
    for (const text of prompts) {
      const s = summarizeRequest(ask(text, { system: [{ type: 'text', text: 'Explain why, then compare.' }] }));
      const f = extractFeatures(s, bits, true);
      const block = f.format === 'mc' ? 1 : 2;
      const prefix = f.format === 'mc' ? 'mc|' : 'open|';
      for (let i = 0; i < f.idx.length; i++) {
        const name = f.names![i];
        const shared = !name.startsWith(prefix);
        const h = fnv1a(hashedText(shared ? name : name.slice(prefix.length)));
        expect([name, f.idx[i]]).toEqual([name, mixBlock(h, shared ? 0 : block) & mask]);
      }
      const tokenNames = f.names!.filter((n) => /^(u|b):/.test(n));
      expect(new Set(tokenNames).size).toBe(tokenNames.length);
      const tokenValues = new Set(f.val.filter((_, i) => /^(u|b):/.test(f.names![i])));
      expect([...tokenValues]).toEqual([1 / Math.sqrt(tokenNames.length)]);
    }
  });
});
