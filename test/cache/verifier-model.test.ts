import { boostedMargin, compiledMargin, compileTrees, fitBoosted } from '../../shared/levers/cache/verifier/boosted-trees';
import { namesOf, negationParity, unmatchedNames } from '../../shared/levers/cache/verifier/names';
import { isStatementPair } from '../../shared/levers/cache/verifier/pair-features';
import { PairModelSchema, scorePair } from '../../shared/levers/cache/verifier/pair-model';
import { prepareText } from '../../shared/levers/cache/verifier/prepare';
import { alignWords, alignmentView } from '../../shared/levers/cache/verifier/word-alignment';
import { testEmbedder } from './cache-test-helpers';

const e = testEmbedder();

describe('boosted trees', () => {
  // Label = x0 > 0.5 XOR x1 > 0.5: no linear model separates it, two levels of a tree do.
  const rows = Array.from({ length: 400 }, (_, i) => Float64Array.of(((i * 37) % 100) / 100, ((i * 61) % 100) / 100, (i % 7) / 7));
  const labels = rows.map((r) => (r[0] > 0.5 !== r[1] > 0.5 ? 1 : 0));

  test('learn an interaction a linear model cannot, deterministically', () => {
    const m = fitBoosted(
      rows,
      labels,
      rows.map(() => 1),
      { rounds: 60, depth: 2, rate: 0.3, minChild: 1 },
    );
    const correct = rows.filter((r, i) => boostedMargin(m, r) > 0 === (labels[i] === 1)).length;
    expect(correct / rows.length).toBeGreaterThan(0.95);
    const again = fitBoosted(
      rows,
      labels,
      rows.map(() => 1),
      { rounds: 60, depth: 2, rate: 0.3, minChild: 1 },
    );
    expect(again).toEqual(m);
  });

  test('score through an index into a longer feature vector', () => {
    const m = fitBoosted(
      rows.map((r) => Float64Array.of(r[1], r[0])),
      labels,
      rows.map(() => 1),
      { rounds: 20, depth: 2 },
    );
    const wide = Float64Array.of(9, rows[3][0], 9, rows[3][1]);
    expect(boostedMargin(m, wide, [3, 1])).toBeCloseTo(boostedMargin(m, Float64Array.of(rows[3][1], rows[3][0])), 12);
    // The compiled (flat) layout the verifier scores with gives the same margins.
    const compiled = compileTrees(m, [3, 1]);
    for (const r of rows.slice(0, 50)) expect(compiledMargin(compiled, Float64Array.of(9, r[0], 9, r[1]))).toBeCloseTo(boostedMargin(m, Float64Array.of(r[1], r[0])), 12);
  });
});

describe('the pair model file', () => {
  const v1 = { version: 1, embedder: 'x-1d', features: ['cos'], mean: [0.5], std: [0.25], weights: [2], bias: -1, threshold: 0.6 };

  test('a version-1 file still loads and scores as a logistic regression', () => {
    const model = PairModelSchema.parse(v1);
    expect(scorePair(model, Float64Array.of(0.75), [0])).toBeCloseTo(1 / (1 + Math.exp(-(-1 + 2 * 1))), 12);
  });

  test('trees alone score their margin; trees with regression weights average the two margins', () => {
    // One stump: cos < 0.5 → -2, else +2 (times rate 0.5), from a starting margin of 0.25.
    const stump = { feature: [0, -1, -1], cut: [0.5, 0, 0], value: [0, -2, 2] };
    const trees = PairModelSchema.parse({ ...v1, version: 2, weights: [], mean: [], std: [], trees: [stump], trees_bias: 0.25, rate: 0.5 });
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    expect(scorePair(trees, Float64Array.of(0.75), [0])).toBeCloseTo(sigmoid(1.25), 12);
    const blend = PairModelSchema.parse({ ...v1, version: 2, trees: [stump], trees_bias: 0.25, rate: 0.5 });
    expect(scorePair(blend, Float64Array.of(0.75), [0])).toBeCloseTo(sigmoid((1 + 1.25) / 2), 12);
  });

  test('a statement pair scored at its own threshold lands on the served threshold', () => {
    const model = PairModelSchema.parse({ ...v1, version: 2, statement_threshold: 0.3 });
    // Find the feature value whose raw score is exactly the statement threshold: logit(0.3) = -1 + 2 (x - 0.5) / 0.25.
    const x = 0.5 + ((Math.log(0.3 / 0.7) + 1) * 0.25) / 2;
    expect(scorePair(model, Float64Array.of(x), [0], false)).toBeCloseTo(0.3, 9);
    expect(scorePair(model, Float64Array.of(x), [0], true)).toBeCloseTo(0.6, 9);
  });
});

describe('pair evidence', () => {
  test('names are capitalised words past a sentence start, and camel-case or acronym words anywhere', () => {
    expect(namesOf('Summarize the plot of Hamlet. Then compare it with PyTorch and SQL.')).toEqual(['hamlet', 'pytorch', 'sql']);
    expect(namesOf('How do I learn Python quickly?')).toEqual(['python']);
  });

  test('a swapped name has no counterpart; a name split or joined differently does', () => {
    const a = prepareText('Huggingface.js talks to Hugging Face.');
    const b = prepareText('The library talks to Hugging Face from JavaScript.');
    expect(unmatchedNames(b.names, a.analysis.content, a.flat)).toBe(1); // "javascript"
    expect(unmatchedNames(['huggingface'], b.analysis.tokens, b.flat)).toBe(0);
    expect(unmatchedNames(['python'], prepareText('How do I learn Java?').analysis.content, 'howdoilearnjava')).toBe(1);
  });

  test('negation parity: "No," answering is not a negation, a double negation cancels', () => {
    expect(negationParity('No, LOAD_HU does not exist in v2.10.0.')).toBe(negationParity('LOAD_HU is not a feature of v2.10.0.'));
    expect(negationParity('It is not true that it never rains.')).toBe(0);
    expect(negationParity('The method can be used.')).not.toBe(negationParity('The method can not be used.'));
  });

  test('statement pairs: neither text is a question (a question word inside a sentence does not count), both full sentences', () => {
    const s = prepareText('The guide in the docs shows how to load a dataset from disk.');
    expect(isStatementPair(s, prepareText('The guide in the docs explains loading a dataset stored on disk.'))).toBe(true);
    expect(isStatementPair(s, prepareText('how to load a dataset'))).toBe(false);
    expect(isStatementPair(s, prepareText('Load a dataset?'))).toBe(false);
    // A short line without a question form is a query in all but punctuation: it keeps the question threshold.
    expect(isStatementPair(prepareText('best way to learn python'), prepareText('best way to learn java'))).toBe(false);
  });

  test('word vectors are unit length; an unknown word gets one from its n-grams, close to its spelling variants', () => {
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(norm(e.wordVector('python'))).toBeCloseTo(1, 5);
    expect(e.wordVector('python')).toBe(e.wordVector('python'));
    const a = e.wordVector('zorblaxian');
    const b = e.wordVector('zorblaxians');
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(a.reduce((s, x, i) => s + x * b[i], 0)).toBeGreaterThan(0.6);
  });

  test('soft alignment: a reworded text has partners for its words, a swapped word has none', () => {
    const v = (ws: string[]) =>
      alignmentView(
        ws,
        (w) => e.rankOf(w),
        (w) => e.wordVector(w),
      );
    const same = alignWords(v(['reset', 'passwords']), v(['resets', 'password']));
    expect(same).toMatchObject({ worst: 1, unpaired: 0, swapped: 0 });
    const reworded = alignWords(v(['quickly', 'learn', 'python']), v(['learn', 'python', 'fast']));
    const swapped = alignWords(v(['learn', 'python', 'quickly']), v(['learn', 'pottery', 'quickly']));
    expect(reworded.worst).toBeGreaterThan(swapped.worst);
    expect(swapped.swapped).toBe(1);
  });
});
