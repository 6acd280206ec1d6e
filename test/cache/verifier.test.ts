import { FEATURE_NAMES } from '../../shared/levers/cache/verifier/pair-features';
import { PreparedTextCache, prepareText } from '../../shared/levers/cache/verifier/prepare';
import { Verifier } from '../../shared/levers/cache/verifier/verifier';
import { testEmbedder } from './cache-test-helpers';

const e = testEmbedder();
const verifier = Verifier.forEmbedder(
  e.fingerprint,
  (w) => e.rankOf(w),
  (w) => e.wordVector(w),
);
const score = (a: string, b: string) => verifier.score(prepareText(a, e.embedSync(a)), prepareText(b, e.embedSync(b)));

describe('the learned verifier', () => {
  test('the shipped weights load for the embedded embedder, over known features, with a CV-chosen threshold', () => {
    expect(verifier.model).not.toBeNull();
    expect(verifier.model!.embedder).toBe(e.fingerprint);
    for (const f of verifier.model!.features) expect(FEATURE_NAMES).toContain(f);
    expect(verifier.defaultThreshold).toBeGreaterThan(0.5);
    expect(verifier.defaultThreshold).toBeLessThan(1);
  });

  test.each([
    ['How do I reset my password?', 'How can I reset my password?'],
    ['How can I cancel my subscription?', 'How do I cancel my subscription?'],
    ['Which ocean is the deepest?', 'Which ocean is deepest?'],
  ])('serves a plain rewording: %s / %s', (a, b) => {
    expect(score(a, b)).toBeGreaterThanOrEqual(verifier.defaultThreshold!);
  });

  test.each([
    ['How can I lose 10 kg in a month?', 'How can I lose 15 kg in a month?'],
    ['Why do people worry about global warming?', "Why don't people worry about global warming?"],
    ['What hotel in Munnar is safe for couples?', 'What hotel in Khandala is safe for couples?'],
    ['What does France need to do to beat Ecuador?', 'What does Ecuador need to do to beat France?'],
  ])('turns away a changed number, negation, place or role: %s / %s', (a, b) => {
    expect(score(a, b)).toBeLessThan(verifier.defaultThreshold!);
  });

  test('an embedder with no trained weights falls back to its cosine', () => {
    const fallback = Verifier.forEmbedder('no-such-embedder-1d');
    expect(fallback.model).toBeNull();
    expect(fallback.name).toBe('cosine');
    const a = prepareText('x', Float32Array.of(1));
    expect(fallback.score(a, a, 0.42)).toBe(0.42);
  });

  test('prepared texts are kept between lookups, least recently used out', () => {
    const cache = new PreparedTextCache(2);
    const a = cache.get('How do I reset my password?');
    expect(cache.get('How do I reset my password?')).toBe(a);
    expect(a).toEqual(prepareText('How do I reset my password?'));
    const second = cache.get('second');
    cache.get('How do I reset my password?'); // used again: "second" is now the oldest
    cache.get('third');
    expect(cache.get('How do I reset my password?')).toBe(a);
    expect(cache.get('second')).not.toBe(second); // evicted, prepared afresh
    expect(cache.get('second')).toEqual(second);
  });
});
