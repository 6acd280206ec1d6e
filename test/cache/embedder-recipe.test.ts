import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalise } from '../../shared/levers/cache/embedders/embedder';
import { WordVectorEmbedder } from '../../shared/levers/cache/embedders/word-vector-embedder';
import type { WordVectors } from '../../shared/levers/cache/embedders/word-vector-file';
import { isWordToken, normaliseText, tokenize } from '../../shared/levers/cache/text/tokenize';
import { testEmbedder } from './cache-test-helpers';

/**
 * The embedded embedder's recipe written out plainly, as it was before its hot path was tuned (a cache of
 * out-of-vocabulary vectors, unrolled loops): SIF-weighted GloVe vectors, and for an unknown word the
 * normalised sum of its hashed character 3–5-gram directions at length 5. The cache index and the
 * verifier's weights were built on these vectors, so a faster embedder must give them bit for bit.
 */
function referenceEmbed(wv: WordVectors, text: string): Float32Array {
  const { dims, index, scales, vectors } = wv;
  const logH = Math.log(wv.count) + 0.5772;
  const out = new Float32Array(dims);
  for (const token of referenceTokenize(text)) {
    if (!isWordToken(token)) continue;
    const i = index.get(token);
    const p = 1 / (((i ?? 50_000) + 1) * logH);
    const w = 1e-2 / (1e-2 + p);
    if (i !== undefined) {
      const s = scales[i] * w;
      for (let d = 0; d < dims; d++) out[d] += vectors[i * dims + d] * s;
    } else {
      const v = referenceOov(token, dims);
      for (let d = 0; d < dims; d++) out[d] += v[d] * w;
    }
  }
  return normalise(out);
}

/** The tokenizer as it was (matchAll, one match object per token); tokenize.ts now uses match(). */
const TOKEN_RE = /\p{N}+(?:[.,:]\p{N}+)*(?:st|nd|rd|th|s)?|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;
const CONTRACTIONS: Record<string, string[]> = {
  "can't": ['can', 'not'],
  cannot: ['can', 'not'],
  "won't": ['will', 'not'],
  "shan't": ['shall', 'not'],
  "ain't": ['is', 'not'],
  "i'm": ['i', 'am'],
  "let's": ['let', 'us'],
};
function referenceTokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of normaliseText(text).matchAll(TOKEN_RE)) {
    const t = m[0];
    if (t.length > 2 && t.includes("'")) {
      if (CONTRACTIONS[t]) out.push(...CONTRACTIONS[t]);
      else if (t.endsWith("n't")) out.push(t.slice(0, -3), 'not');
      else out.push(t.slice(0, t.indexOf("'")), t.slice(t.indexOf("'")));
      continue;
    }
    out.push(t);
  }
  return out;
}

function referenceOov(word: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  const s = `<${word}>`;
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= s.length; i++) {
      const gram = s.slice(i, i + n);
      let h = 2166136261 ^ 7;
      for (let k = 0; k < gram.length; k++) h = Math.imul(h ^ gram.charCodeAt(k), 16777619);
      let x = h >>> 0 || 1;
      const g = new Float32Array(dims);
      for (let d = 0; d < dims; d++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        g[d] = ((x >>> 0) / 4294967296) * 2 - 1;
      }
      for (let d = 0; d < dims; d++) v[d] += g[d];
    }
  }
  normalise(v);
  for (let d = 0; d < dims; d++) v[d] *= 5;
  return v;
}

const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');

/** Deterministic pseudo-random texts: vocabulary words, made-up words, numbers, punctuation, other scripts. */
function generatedTexts(e: WordVectorEmbedder, n: number): string[] {
  let x = 2463534242;
  const rnd = (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  const pieces = [
    '(A)',
    'B.',
    '42',
    '3.14',
    '1,000',
    "don't",
    "it's",
    "can't",
    'Cannot',
    "let's",
    "I'm",
    '’tis',
    "rock'n'roll",
    '42nd',
    '1990s',
    'ﬁne',
    'Ⅻ',
    '—',
    '?',
    '!',
    'Zürich',
    'naïve',
    '日本語',
    '😀',
    'n’t',
    "'s",
    '\u0301',
    'a\ud800b',
    '#7',
  ];
  const out: string[] = [];
  for (let t = 0; t < n; t++) {
    const words: string[] = [];
    for (let k = 0, len = 1 + rnd(60); k < len; k++) {
      const r = rnd(10);
      if (r < 6) words.push(e.vectors.index.word(rnd(r < 3 ? 2_000 : e.vectors.count)));
      else if (r < 8) words.push(Array.from({ length: 1 + rnd(9) }, () => String.fromCharCode(97 + rnd(26))).join(''));
      else words.push(pieces[rnd(pieces.length)]);
      if (rnd(4) === 0) words[words.length - 1] = words[words.length - 1].toUpperCase();
    }
    out.push(words.join(rnd(3) === 0 ? '\n' : ' '));
  }
  return out;
}

describe('word-vector embedder: the same vectors as the plain recipe', () => {
  const e = testEmbedder();
  const examples = readFileSync(join(__dirname, '../../scripts/routing/examples/task-examples.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => String((JSON.parse(l) as { prompt?: string; turns?: string[] }).prompt ?? (JSON.parse(l) as { turns: string[] }).turns.join('\n')));
  const texts = [...examples, ...generatedTexts(e, 3_000), '', '   ', '?!', 'a b c d', 'x'.repeat(400)];

  test('tokenize gives the tokens it gave with matchAll', () => {
    expect(texts.filter((t) => JSON.stringify(tokenize(t)) !== JSON.stringify(referenceTokenize(t)))).toEqual([]);
  });

  test('every text, embedded twice (the second time from the out-of-vocabulary cache), matches bit for bit', () => {
    const differing = texts.filter((t) => bits(e.embedSync(t)) !== bits(referenceEmbed(e.vectors, t)) || bits(e.embedSync(t)) !== bits(referenceEmbed(e.vectors, t)));
    expect(differing).toEqual([]);
  });

  test('still the same after the out-of-vocabulary cache filled up and was emptied', () => {
    const fresh = new WordVectorEmbedder(e.vectors);
    for (let i = 0; i < 12_000; i++) fresh.embedSync(`qz${i.toString(36)}x`);
    const sample = texts.slice(0, 500);
    expect(sample.filter((t) => bits(fresh.embedSync(t)) !== bits(referenceEmbed(e.vectors, t)))).toEqual([]);
  });
});
