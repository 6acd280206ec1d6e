import { memoRankOf } from '../../shared/levers/cache/rank-memo';
import { stem } from '../../shared/levers/cache/guards/word-match';
import { prepareText } from '../../shared/levers/cache/verifier/prepare';
import { Verifier } from '../../shared/levers/cache/verifier/verifier';
import { testEmbedder } from './cache-test-helpers';

const e = testEmbedder();

describe('the remembered vocabulary rank (verifier hot loop)', () => {
  test('answers what the embedder answers, unknown words included, asking it once per word', () => {
    const asked: string[] = [];
    const memo = memoRankOf((w) => {
      asked.push(w);
      return e.rankOf(w);
    });
    for (const w of ['the', 'balochistan', 'zzqxv', 'the', 'zzqxv', 'password']) expect(memo(w)).toBe(e.rankOf(w));
    expect(memo('zzqxv')).toBeUndefined();
    expect(asked).toEqual(['the', 'balochistan', 'zzqxv', 'password']);
  });

  test('starts afresh when full instead of growing without bound', () => {
    let calls = 0;
    const memo = memoRankOf(() => ++calls, 2);
    memo('a');
    memo('b');
    memo('c'); // full: cleared, then 'c' kept
    expect(memo('c')).toBe(3);
    expect(memo('a')).toBe(4); // forgotten, asked again
  });

  test('the stemmer remembers without changing its answers', () => {
    for (const [w, s] of [
      ['countries', 'country'],
      ['running', 'runn'],
      ['released', 'releas'],
      ['glass', 'glas'],
      ['quickly', 'quick'],
      ['boxes', 'boxe'],
    ])
      for (let i = 0; i < 2; i++) expect(stem(w)).toBe(s);
  });

  test('verifier scores are identical with the remembered rank', () => {
    const pairs = [
      ['How do I reset my password?', 'How can I reset my password?'],
      ['Which ocean is the deepest?', 'Which ocean is deepest?'],
      ['How can I lose 10 kg in a month?', 'How can I lose 15 kg in a month?'],
      ['Why do people worry about global warming?', "Why don't people worry about global warming?"],
      ['What hotel in Munnar is safe for couples?', 'What hotel in Khandala is safe for couples?'],
      ['What does France need to do to beat Ecuador?', 'What does Ecuador need to do to beat France?'],
      ['What is the history of Baluchistan?', 'What is the history of Balochistan?'],
      ['What are the advantages of remote work?', 'What are the disadvantages of remote work?'],
      ['Is it true that theists are happier?', 'Is it true that atheists are happier?'],
      ['What is the best way to learn a new language as an adult?', 'How should an adult learn a new language quickly?'],
    ];
    const plain = Verifier.forEmbedder(e.fingerprint, (w) => e.rankOf(w));
    const remembered = Verifier.forEmbedder(
      e.fingerprint,
      memoRankOf((w) => e.rankOf(w)),
    );
    // Twice over: the second pass meets only remembered words and stems.
    for (let pass = 0; pass < 2; pass++)
      for (const [a, b] of pairs) {
        const pa = prepareText(a, e.embedSync(a));
        const pb = prepareText(b, e.embedSync(b));
        expect(remembered.score(pa, pb)).toBe(plain.score(pa, pb));
        expect(remembered.score(pb, pa)).toBe(plain.score(pb, pa));
      }
  });
});
