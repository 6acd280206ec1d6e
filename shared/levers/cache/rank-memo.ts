import type { RankOf } from './guards/word-match';

/**
 * A word's vocabulary rank, remembered: the verifier asks for the same few
 * hundred words thousands of times a second (every word pair of every
 * candidate, both ways), and the embedder's lookup hashes the word each time.
 * The rank of a word never changes for one embedder, so the answers are the
 * embedder's own; the memo is cleared when it reaches `capacity` words.
 */
export function memoRankOf(rankOf: RankOf, capacity = 50_000): RankOf {
  const known = new Map<string, number | undefined>();
  return (word) => {
    const hit = known.get(word);
    if (hit !== undefined || known.has(word)) return hit;
    const rank = rankOf(word);
    if (known.size >= capacity) known.clear();
    known.set(word, rank);
    return rank;
  };
}
