import { stem, type RankOf } from '../guards/word-match';

/** A word's unit vector in the embedder's word space (undefined when it has none). */
export type WordVectorOf = (word: string) => Float32Array | undefined;

/** A best partner below this cosine counts as "no counterpart" (a substituted or added word). */
export const UNPAIRED_BELOW = 0.5;
/** Rank assumed for a word the vocabulary does not know (it is rare, so weighty). */
const OOV_RANK = 50_000;

/** What the alignment needs of one text's content words, computed once per text (kept on its PreparedText). */
export interface AlignmentView {
  stems: string[];
  /** 0 (most frequent) … 1 (unknown), from the frequency rank. */
  rarity: Float64Array;
  vectors: (Float32Array | undefined)[];
}

/** Soft alignment of two texts' content words, both directions. */
export interface Alignment {
  /** Lowest best-partner similarity of any content word (1 when every word has an exact partner). */
  worst: number;
  /** Second lowest, from either side (1 when there is none): a substitution leaves one bad word on each side. */
  second: number;
  /** Rarity-weighted mean best-partner similarity, the lower of the two directions. */
  mean: number;
  /** Content words (both sides) whose best partner is below UNPAIRED_BELOW. */
  unpaired: number;
  /** Words unpaired on both sides at once: one word swapped for another ("learn Python" / "learn Java"). */
  swapped: number;
  /** Rarity (0–1) of the worst-aligned word: a swapped name or term weighs more than a swapped common word. */
  worstRarity: number;
}

/** Rarity of a word from its frequency rank, 0 (most frequent) to 1 (unknown). */
export function rarity(word: string, rankOf?: RankOf): number {
  const rank = Math.min(rankOf?.(word) ?? OOV_RANK, OOV_RANK);
  return Math.log(rank + 10) / Math.log(OOV_RANK + 10);
}

export function alignmentView(content: string[], rankOf?: RankOf, wordVectorOf?: WordVectorOf): AlignmentView {
  return { stems: content.map(stem), rarity: Float64Array.from(content, (w) => rarity(w, rankOf)), vectors: content.map((w) => wordVectorOf?.(w)) };
}

function similarity(a: AlignmentView, i: number, b: AlignmentView, j: number): number {
  if (a.stems[i] === b.stems[j]) return 1;
  const va = a.vectors[i];
  const vb = b.vectors[j];
  if (!va || !vb) return 0;
  let s = 0;
  for (let d = 0; d < va.length; d++) s += va[d] * vb[d];
  return s > 0 ? s : 0;
}

function weightedMean(view: AlignmentView, best: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < best.length; i++) {
    const r = 0.2 + view.rarity[i];
    num += r * best[i];
    den += r;
  }
  return num / den;
}

/**
 * For each content word of one text, its best similarity to the other text's
 * content words (same stem = 1, else the word-vector cosine), both ways. A
 * reworded statement finds a partner for almost every word; a Quora negative
 * usually keeps all words but one, which has none. Cost: |a|·|b| dot products
 * of the word dimension.
 */
export function alignWords(a: AlignmentView, b: AlignmentView): Alignment {
  const n = a.stems.length;
  const m = b.stems.length;
  if (!n || !m) {
    const empty = n === 0 && m === 0;
    return { worst: empty ? 1 : 0, second: empty || n + m < 2 ? 1 : 0, mean: empty ? 1 : 0, unpaired: n + m, swapped: 0, worstRarity: 0 };
  }
  const bestA = new Float64Array(n);
  const bestB = new Float64Array(m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const s = similarity(a, i, b, j);
      if (s > bestA[i]) bestA[i] = s;
      if (s > bestB[j]) bestB[j] = s;
    }
  let worst = 2;
  let second = 2;
  let worstRarity = 0;
  let unA = 0;
  let unB = 0;
  const visit = (s: number, r: number) => {
    if (s < worst) {
      second = worst;
      worst = s;
      worstRarity = r;
    } else if (s < second) second = s;
  };
  for (let i = 0; i < n; i++) {
    visit(bestA[i], a.rarity[i]);
    if (bestA[i] < UNPAIRED_BELOW) unA++;
  }
  for (let j = 0; j < m; j++) {
    visit(bestB[j], b.rarity[j]);
    if (bestB[j] < UNPAIRED_BELOW) unB++;
  }
  return {
    worst,
    second: second > 1 ? 1 : second,
    mean: Math.min(weightedMean(a, bestA), weightedMean(b, bestB)),
    unpaired: unA + unB,
    swapped: Math.min(unA, unB),
    worstRarity: worst < 1 ? worstRarity : 0,
  };
}
