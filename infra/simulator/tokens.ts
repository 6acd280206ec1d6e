/**
 * A BPE-like token estimate, close to what tiktoken (cl100k/o200k) reports for
 * English prose, code and JSON (within ~20%), without shipping a vocabulary.
 *
 * Text is split like tiktoken's pre-tokenizer (words with their leading space,
 * digit groups of up to three, punctuation runs, whitespace runs) and each piece
 * is weighted: short common words are one token, long words split into several,
 * CJK characters are about one token each. Weights are fractional and the sum
 * is rounded once, so long texts do not accumulate rounding error.
 */

// Same shape as tiktoken's cl100k split pattern.
const PIECE = /'(?:s|t|re|ve|m|ll|d)| ?\p{L}+| ?\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+/gu;
const WIDE = /[\u2E80-\uFFFF]/;
const LETTER = /\p{L}/u;

/** Token weight of one pre-tokenizer piece. */
export function pieceWeight(piece: string): number {
  const first = piece.charCodeAt(0);
  const body = first === 32 && piece.length > 1 ? piece.slice(1) : piece;
  const c = body.charCodeAt(0);
  if (c === 32 || c === 9 || c === 10 || c === 13) return 1; // a whitespace run merges into one token
  if (c >= 48 && c <= 57) return 1; // a group of up to 3 digits
  const isLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && LETTER.test(body[0]));
  if (!isLetter) {
    // Punctuation: common pairs like `",` or `{"` are single tokens.
    return body.length <= 2 ? 1 : body.length / 2.5;
  }
  if (c > 127 && WIDE.test(body)) return body.length;
  const n = body.length;
  // Common words up to ~9 letters are mostly single tokens; rarer long words split every ~5 letters.
  if (n <= 6) return 1;
  if (n <= 9) return 1.2;
  if (n <= 13) return 1.8;
  return n / 5;
}

/** Estimated token count of a text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  let total = 0;
  PIECE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PIECE.exec(text)) !== null) total += pieceWeight(m[0]);
  return Math.max(1, Math.round(total));
}

/** The pieces of a text with their weights, for truncating at a token budget and for streaming. */
export function tokenPieces(text: string): { piece: string; weight: number }[] {
  const out: { piece: string; weight: number }[] = [];
  PIECE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PIECE.exec(text)) !== null) out.push({ piece: m[0], weight: pieceWeight(m[0]) });
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
  let out = '';
  for (const { piece, weight } of tokenPieces(text)) {
    if (Math.round(used + weight) > maxTokens) break;
    used += weight;
    out += piece;
  }
  return { text: out, tokens: maxTokens, truncated: true };
}

/**
 * Calls `onCheckpoint(segmentIndex, charOffset, tokens)` each time the running
 * token count of the concatenated segments crosses `first`, `first + step`, …
 * Used by the OpenAI prompt cache, which caches prefixes in 128-token steps.
 */
export function scanCheckpoints(
  segments: readonly string[],
  first: number,
  step: number,
  onCheckpoint: (segment: number, offset: number, tokens: number) => void,
): void {
  let total = 0;
  let next = first;
  for (let s = 0; s < segments.length; s++) {
    const text = segments[s];
    PIECE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = PIECE.exec(text)) !== null) {
      total += pieceWeight(m[0]);
      while (total >= next) {
        onCheckpoint(s, m.index + m[0].length, next);
        next += step;
      }
    }
  }
}
