/**
 * A BPE-like token estimate, close to what tiktoken (cl100k/o200k) reports for
 * English prose, code and JSON (within ~20%), without shipping a vocabulary.
 *
 * Text is split like tiktoken's pre-tokenizer — words with their leading
 * space, contractions, digit groups of up to three, punctuation runs,
 * whitespace runs — by a hand-written scanner (no regex, no allocation: this
 * runs over every prompt). Each piece is weighted: short common words are one
 * token, long words split into several, CJK characters are about one token
 * each. Weights are fractional and the sum is rounded once, so long texts do
 * not accumulate rounding error.
 */

const LETTER = /\p{L}/u;
const enum Kind {
  Letter,
  Digit,
  Space,
  Other,
}

function kindOf(text: string, i: number): Kind {
  const c = text.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return Kind.Letter;
  if (c >= 48 && c <= 57) return Kind.Digit;
  if (c === 32 || c === 10 || c === 9 || c === 13) return Kind.Space;
  if (c > 127) {
    if (c === 0xa0 || c === 0x3000) return Kind.Space;
    if (LETTER.test(text[i])) return Kind.Letter;
  }
  return Kind.Other;
}

function isWide(c: number): boolean {
  return c >= 0x2e80 && c <= 0xffff;
}

const CONTRACTIONS = ['s', 't', 'm', 'd', 're', 've', 'll'];

/**
 * Calls `fn(start, end, weight)` for each pre-tokenizer piece of `text`.
 * Returning true from `fn` stops the scan.
 */
export function forEachPiece(text: string, fn: (start: number, end: number, weight: number) => boolean | void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    let kind = kindOf(text, i);
    // A single leading space joins the following word or punctuation run, as in tiktoken.
    if (kind === Kind.Space && text.charCodeAt(i) === 32 && i + 1 < n) {
      const next = kindOf(text, i + 1);
      if (next === Kind.Letter || next === Kind.Other) {
        i += 1;
        kind = next;
      }
    }
    let weight: number;
    if (kind === Kind.Letter) {
      const wordStart = i;
      let wide = 0;
      while (i < n && kindOf(text, i) === Kind.Letter) {
        if (isWide(text.charCodeAt(i))) wide += 1;
        i += 1;
      }
      const len = i - wordStart;
      weight = wide > 0 ? wide + (len - wide) / 4 : len <= 6 ? 1 : len <= 9 ? 1.2 : len <= 13 ? 1.8 : len / 5;
    } else if (kind === Kind.Digit) {
      while (i < n && i - start < 3 && kindOf(text, i) === Kind.Digit) i += 1;
      weight = 1;
    } else if (kind === Kind.Space) {
      while (i < n && kindOf(text, i) === Kind.Space) i += 1;
      weight = 1;
    } else {
      if (text.charCodeAt(i) === 39 /* ' */) {
        const contraction = CONTRACTIONS.find((c) => text.startsWith(c, i + 1) && (i + 1 + c.length >= n || kindOf(text, i + 1 + c.length) !== Kind.Letter));
        if (contraction) {
          i += 1 + contraction.length;
          if (fn(start, i, 1)) return;
          continue;
        }
      }
      while (i < n && kindOf(text, i) === Kind.Other) i += 1;
      const len = i - start;
      // Common pairs like `",` or `{"` are single tokens.
      weight = len <= 2 ? 1 : len / 2.5;
    }
    if (fn(start, i, weight)) return;
  }
}

/** Estimated token count of a text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  let total = 0;
  forEachPiece(text, (_s, _e, w) => {
    total += w;
  });
  return Math.max(1, Math.round(total));
}

/** The pieces of a text with their weights, for truncating at a token budget and for streaming. */
export function tokenPieces(text: string): { piece: string; weight: number }[] {
  const out: { piece: string; weight: number }[] = [];
  forEachPiece(text, (s, e, weight) => {
    out.push({ piece: text.slice(s, e), weight });
  });
  return out;
}

/**
 * The longest prefix of `text` that fits in `maxTokens`.
 * Returns the text unchanged (truncated=false) when it already fits.
 */
export function truncateToTokens(text: string, maxTokens: number): { text: string; tokens: number; truncated: boolean } {
  const total = countTokens(text);
  if (total <= maxTokens) return { text, tokens: total, truncated: false };
  let used = 0;
  let end = 0;
  forEachPiece(text, (_s, e, w) => {
    if (Math.round(used + w) > maxTokens) return true;
    used += w;
    end = e;
    return false;
  });
  return { text: text.slice(0, end), tokens: maxTokens, truncated: true };
}

/**
 * Calls `onCheckpoint(segmentIndex, charOffset, tokens)` each time the running
 * token count of the concatenated segments crosses `first`, `first + step`, …
 * Used by the OpenAI prompt cache, which caches prefixes in 128-token steps.
 */
export function scanCheckpoints(segments: readonly string[], first: number, step: number, onCheckpoint: (segment: number, offset: number, tokens: number) => void): void {
  let total = 0;
  let next = first;
  for (let s = 0; s < segments.length; s++) {
    forEachPiece(segments[s], (_start, end, w) => {
      total += w;
      while (total >= next) {
        onCheckpoint(s, end, next);
        next += step;
      }
    });
  }
}
