/**
 * When two content words count as "the same word" for the guards: equal,
 * equal after a light suffix strip (plural, -ing, -ed), or a spelling variant
 * (edit distance 1–2) when at least one side is rare or unknown — so
 * "Baluchistan"/"Balochistan" match but "east"/"west" and
 * "advantages"/"disadvantages" do not. Word-vector similarity is deliberately
 * not used here: co-hyponyms (France/Ecuador, summer/winter) are exactly the
 * words that sit close in a word-vector space.
 */
export type RankOf = (word: string) => number | undefined;

const NEGATING_PREFIX = /^(dis|un|in|im|il|ir|non|anti|counter)/;
/** Words past this frequency rank (or unknown) count as rare. */
const RARE_RANK = 30_000;

/** Stems already computed: the verifier stems the same words for every word pair of every candidate. Cleared when full. */
const stems = new Map<string, string>();

/** A light stemmer: enough to equate plural/tense/-ly variants, never two different words. */
export function stem(word: string): string {
  let w = stems.get(word);
  if (w === undefined) {
    w = stemWord(word);
    if (stems.size >= 50_000) stems.clear();
    stems.set(word, w);
  }
  return w;
}

function stemWord(word: string): string {
  let w = word;
  for (const suffix of ['ies', 'es', 's', 'ing', 'ed', 'ly']) {
    if (w.length > suffix.length + (suffix === 's' ? 2 : 3) && w.endsWith(suffix) && !w.endsWith('ss')) {
      w = w.slice(0, -suffix.length);
      if (suffix === 'ies') w += 'y';
      break;
    }
  }
  // "released"/"release", "making"/"make", "running"/"run".
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 4 && w[w.length - 1] === w[w.length - 2] && !/[aeiou]/.test(w[w.length - 1])) w = w.slice(0, -1);
  return w;
}

/** "theist"/"atheist", "like"/"dislike": one word is the other with a negating prefix. */
function negatedForm(a: string, b: string): boolean {
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (!long.endsWith(short)) return false;
  return /^(a|an|dis|un|in|im|il|ir|non|anti|counter|de|mis)-?$/.test(long.slice(0, long.length - short.length));
}

export function wordsMatch(a: string, b: string, rankOf?: RankOf): boolean {
  if (a === b) return true;
  if (negatedForm(a, b)) return false;
  if (stem(a) === stem(b)) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 5) return false;
  const rare = (w: string) => (rankOf?.(w) ?? Infinity) > RARE_RANK;
  if (!rare(a) && !rare(b)) return false;
  if (NEGATING_PREFIX.test(a) !== NEGATING_PREFIX.test(b)) return false;
  return editDistance(a, b, 2) <= (shorter >= 9 ? 2 : 1);
}

/** Levenshtein distance, stopping early once it exceeds `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Index in `others` of the first word matching `word`, or -1. */
export function findMatch(word: string, others: string[], rankOf?: RankOf): number {
  for (let i = 0; i < others.length; i++) if (wordsMatch(word, others[i], rankOf)) return i;
  return -1;
}
