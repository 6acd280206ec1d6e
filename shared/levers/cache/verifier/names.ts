import { NEGATIONS } from '../guards/text-analysis';
import { wordsMatch, type RankOf } from '../guards/word-match';
import { tokenizeCased } from '../text/tokenize';

/** What the verifier reads from a text as written (case and punctuation kept), in one pass over its tokens. */
export interface CasedEvidence {
  /**
   * Names: capitalised words that do not start a sentence ("Hugging Face", "Pandas", "Michigan"), and words with a
   * capital past their first letter wherever they stand ("PyTorch", "SQL"), lowercased. A restated sentence keeps
   * its names (and code identifiers) verbatim; a question about something else swaps one. Case is the one signal
   * the lowercased analysis lacks.
   */
  names: string[];
  /**
   * 1 when the text negates an odd number of times, else 0. "No," answering a question is not a negation of the
   * sentence ("No, X does not exist" says what "X is not available" says), so a sentence-initial "no" before a
   * comma is skipped.
   */
  negationParity: number;
}

const negates = (lower: string) => NEGATIONS.has(lower) || lower.endsWith("n't");

export function casedEvidence(text: string): CasedEvidence {
  const tokens = tokenizeCased(text);
  const names = new Set<string>();
  let negations = 0;
  let initial = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (/^[.!?:;\n]$/.test(t)) {
      initial = true;
      continue;
    }
    if (!/^\p{L}/u.test(t)) continue;
    const lower = t.toLowerCase();
    if (negates(lower) && !(lower === 'no' && initial && tokens[i + 1] === ',')) negations++;
    if (t.length >= 2 && (/\p{Lu}/u.test(t.slice(1)) || (!initial && /^\p{Lu}/u.test(t)))) names.add(lower);
    initial = false;
  }
  return { names: [...names], negationParity: negations % 2 };
}

export const namesOf = (text: string): string[] => casedEvidence(text).names;
export const negationParity = (text: string): number => casedEvidence(text).negationParity;

/**
 * Names of `names` with no counterpart in the other text: inside its `flat` text (so "Hugging Face" meets
 * "huggingface"), else among its `words` as the same stem or a spelling variant.
 */
export function unmatchedNames(names: string[], words: string[], flat: string, rankOf?: RankOf): number {
  let n = 0;
  for (const name of names) if (!flat.includes(name) && !words.some((t) => wordsMatch(name, t, rankOf))) n++;
  return n;
}
