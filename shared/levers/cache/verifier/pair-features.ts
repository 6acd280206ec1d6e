import { dot } from '../embedders/embedder';
import { type AnalysedText } from '../guards/text-analysis';
import { inversions, sameCounts, unmatchedWords } from '../guards/false-hit-guards';
import { stem, type RankOf } from '../guards/word-match';
import { unmatchedNames } from './names';
import { alignWords, alignmentView, type Alignment, type AlignmentView, type WordVectorOf } from './word-alignment';

/**
 * One side of a candidate pair, prepared once per text: the text analysis the
 * old guards used, its sentence vector and its character trigrams.
 */
export interface PreparedText {
  analysis: AnalysedText;
  /** Sentence vector, when at hand (training); a lookup passes the store's cosine instead. */
  vector?: Float32Array;
  trigrams: Map<string, number>;
  stems: Set<string>;
  /** Ends with a question mark. */
  question: boolean;
  /** Odd (1) or even (0) number of negations (see negationParity). */
  negationParity: number;
  /** Names as written (see namesOf), lowercased. */
  names: string[];
  /** The lowercased text with every non-alphanumeric run removed ("Hugging Face" → "huggingface"), for name look-ups. */
  flat: string;
  /** Stems, rarity and unit word vectors of `analysis.content`, filled on first use by the verifier (it has the embedder's words). */
  alignment?: AlignmentView;
}

/**
 * Feature groups of the learned verifier. Each former guard is a group (its
 * rule became one or two numeric features), so `npm run cache:train-verifier`
 * can ablate any of them on both kinds of dev pairs and keep only those that help.
 */
export const FEATURE_GROUPS = {
  embedding: ['cos', 'cos_high'],
  lexical: ['stem_jaccard', 'trigram_cos'],
  content: ['unmatched_share', 'unmatched_max', 'unmatched_rare'],
  counts: ['counts_differ'],
  numbers: ['numbers_differ'],
  negation: ['negation_differ', 'negation_parity_differ'],
  question_type: ['qtype_differ'],
  persons: ['persons_differ'],
  symbols: ['symbols_differ'],
  context: ['deictic'],
  order: ['order_inversions'],
  length: ['length_gap'],
  /** Names (capitalised words past a sentence's start, camel-case, acronyms) with no counterpart in the other text. */
  names: ['names_unmatched', 'names_swapped'],
  /** Soft word alignment by word vectors: does every content word have a partner in the other text? */
  alignment: ['align_worst', 'align_second', 'align_mean', 'align_unpaired', 'align_swapped', 'align_worst_rare'],
  /** How long the texts are: a one-word change flips a short question, a long sentence has redundancy to spare. */
  /** Whether both are questions: a question turns on one word, a statement restated keeps its meaning in many. */
  form: ['questions', 'question_cos', 'question_trigram'],
  size: ['length_log', 'length_cos', 'long_trigram', 'long_jaccard', 'long_unmatched', 'long_pass'],
  /** The old guard stack as one conjunction (every rule passes), alone and with the cosine: a linear model cannot form an AND itself. */
  conjunction: ['rules_pass', 'pass_cos_high', 'rules_fired'],
} as const;
export type FeatureGroup = keyof typeof FEATURE_GROUPS;
export const FEATURE_NAMES: readonly string[] = Object.values(FEATURE_GROUPS).flat();

/** Words past this rank (or unknown to the vocabulary) are rare: names, places, jargon. */
const RARE_RANK = 20_000;

export function trigramsOf(text: string): Map<string, number> {
  const s = ` ${text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
  const out = new Map<string, number>();
  for (let i = 0; i + 3 <= s.length; i++) {
    const g = s.slice(i, i + 3);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

function countCos(a: Map<string, number>, b: Map<string, number>): number {
  let num = 0;
  let na = 0;
  let nb = 0;
  for (const [g, x] of a) {
    na += x * x;
    const y = b.get(g);
    if (y) num += x * y;
  }
  for (const y of b.values()) nb += y * y;
  return na && nb ? num / Math.sqrt(na * nb) : 0;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
/** "how" alone (method) is interchangeable with no question word ("What is the way to…"). */
const strictTypes = (s: Set<string>) => (s.size === 1 && s.has('how') ? new Set<string>() : s);

/**
 * The feature vector of a (query, candidate) pair, in FEATURE_NAMES order.
 * Symmetric in its two texts. `cos`: their embedding cosine (default: from their vectors); `wordVectorOf`: the
 * embedder's word vectors, for the alignment (without them only equal stems align).
 */
export function pairFeatures(
  q: PreparedText,
  c: PreparedText,
  rankOf?: RankOf,
  cos = q.vector && c.vector ? dot(q.vector, c.vector) : 0,
  wordVectorOf?: WordVectorOf,
  /** Leave the alignment features at 0 (a model without them need not pay for |a|·|b| word cosines). */
  skipAlignment = false,
): Float64Array {
  const a = q.analysis;
  const b = c.analysis;
  let inter = 0;
  for (const s of q.stems) if (c.stems.has(s)) inter++;
  const union = q.stems.size + c.stems.size - inter;
  const ua = unmatchedWords(a.content, b.content, rankOf);
  const ub = unmatchedWords(b.content, a.content, rankOf);
  const shareA = a.content.length ? ua.length / a.content.length : 0;
  const shareB = b.content.length ? ub.length / b.content.length : 0;
  const rare = [...ua, ...ub].filter((w) => (rankOf?.(w) ?? Infinity) > RARE_RANK).length;
  const tokens = Math.max(a.tokens.length, b.tokens.length, 1);
  const f: Record<string, number> = {
    cos,
    cos_high: Math.max(0, cos - 0.9) * 10,
    stem_jaccard: union ? inter / union : 1,
    trigram_cos: countCos(q.trigrams, c.trigrams),
    unmatched_share: (shareA + shareB) / 2,
    unmatched_max: Math.min(Math.max(ua.length, ub.length), 4) / 4,
    unmatched_rare: Math.min(rare, 3) / 3,
    counts_differ: sameCounts(a.content, b.content) ? 0 : 1,
    numbers_differ: sameList(a.numbers, b.numbers) ? 0 : 1,
    negation_differ: sameList(a.negations, b.negations) ? 0 : 1,
    negation_parity_differ: q.negationParity === c.negationParity ? 0 : 1,
    qtype_differ: sameSet(strictTypes(a.questionTypes), strictTypes(b.questionTypes)) ? 0 : 1,
    persons_differ: sameSet(a.persons, b.persons) ? 0 : 1,
    symbols_differ: sameList(a.symbols, b.symbols) ? 0 : 1,
    deictic: a.deictic || b.deictic ? 1 : 0,
    order_inversions: Math.min(inversions(a.content, b.content, rankOf) + inversions(b.content, a.content, rankOf), 4) / 4,
    length_gap: Math.abs(a.tokens.length - b.tokens.length) / tokens,
  };
  const fired = [ua.length + ub.length > 0, f.counts_differ, f.numbers_differ, f.negation_differ, f.qtype_differ, f.persons_differ, f.symbols_differ, f.deictic, f.order_inversions > 0].filter(
    Boolean,
  ).length;
  f.length_log = Math.log(1 + (a.tokens.length + b.tokens.length) / 2) / Math.log(64);
  f.length_cos = f.length_log * (cos - 0.8) * 5;
  f.questions = ((isQuestion(q) ? 1 : 0) + (isQuestion(c) ? 1 : 0)) / 2;
  f.question_cos = f.questions * (cos - 0.8) * 5;
  f.question_trigram = f.questions * f.trigram_cos;
  f.rules_pass = fired === 0 ? 1 : 0;
  f.pass_cos_high = f.rules_pass * f.cos_high;
  // Long texts get their own slope for the lexical evidence (a rephrased long sentence shares fewer words).
  f.long_trigram = f.length_log * f.trigram_cos;
  f.long_jaccard = f.length_log * f.stem_jaccard;
  f.long_unmatched = f.length_log * f.unmatched_share;
  f.long_pass = f.length_log * f.rules_pass;
  f.rules_fired = Math.min(fired, 4) / 4;
  const na = unmatchedNames(q.names, b.content, c.flat, rankOf);
  const nb = unmatchedNames(c.names, a.content, q.flat, rankOf);
  f.names_unmatched = Math.min(na + nb, 2) / 2;
  f.names_swapped = na > 0 && nb > 0 ? 1 : 0;
  const al = skipAlignment ? NO_ALIGNMENT : alignWords(viewOf(q, rankOf, wordVectorOf), viewOf(c, rankOf, wordVectorOf));
  f.align_worst = al.worst;
  f.align_second = al.second;
  f.align_mean = al.mean;
  f.align_unpaired = Math.min(al.unpaired, 4) / 4;
  f.align_swapped = Math.min(al.swapped, 2) / 2;
  f.align_worst_rare = (1 - al.worst) * al.worstRarity;
  return Float64Array.from(FEATURE_NAMES, (n) => f[n]);
}

/** Words that open a question when they come first ("How do I …", "Can I …", "What is …"). */
const QUESTION_OPENERS = new Set('what which who whom whose why where when how is are was were do does did can could should would will shall may might must has have had am'.split(' '));

/**
 * A question: ends with "?" or opens with a question word or an auxiliary ("how to reset my password"). A question
 * word inside a sentence ("… shows how to load a dataset.") does not make it one.
 */
export function isQuestion(t: PreparedText): boolean {
  return t.question || QUESTION_OPENERS.has(t.analysis.tokens[0] ?? '');
}

/**
 * Fewest words each text of a statement pair has. A short line without a question form ("best way to learn python",
 * "reset my password") is a query in all but punctuation and turns on one word like a question does, so it keeps the
 * question pairs' threshold; the plain paraphrases' restated sentences have 8 or more words in 95 % of the dev pairs.
 */
export const STATEMENT_MIN_WORDS = 8;

/** Neither text is a question and both are full sentences: a restatement, whose meaning rests on many words, not one. */
export function isStatementPair(q: PreparedText, c: PreparedText): boolean {
  return !isQuestion(q) && !isQuestion(c) && q.analysis.tokens.length >= STATEMENT_MIN_WORDS && c.analysis.tokens.length >= STATEMENT_MIN_WORDS;
}

const NO_ALIGNMENT: Alignment = { worst: 0, second: 0, mean: 0, unpaired: 0, swapped: 0, worstRarity: 0 };

function viewOf(t: PreparedText, rankOf?: RankOf, wordVectorOf?: WordVectorOf): AlignmentView {
  return (t.alignment ??= alignmentView(t.analysis.content, rankOf, wordVectorOf));
}

export function stemsOf(analysis: AnalysedText): Set<string> {
  return new Set(analysis.content.map(stem));
}
