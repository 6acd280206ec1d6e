/**
 * "Identifier-like" tokens: the exact strings an agent must not lose when old
 * context is compacted — ids, codes, numbers, amounts, dates, times, emails.
 * Prose words are left to the summary; these are kept verbatim in the facts
 * ledger. The eval's fact-retention metric uses the same definition, so what
 * is measured is exactly what the ledger promises to keep.
 */

// Candidate runs: amounts with thousands separators, or runs of id characters.
const CANDIDATE = /\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[A-Za-z0-9_$][A-Za-z0-9_.@\-:+/$]*/g;
const TRAILING = /[.\-:+/]+$/;

/**
 * Whether a token is identifier-like:
 * - contains a digit and is at least 2 characters (HAT113, 2024-05-26, 117, omar_1241, 22:00:00);
 * - or is an all-caps code of 3-10 letters (SEA, DFW, USA);
 * - or contains `@` (an email / handle).
 * Single digits and plain words are not: they carry no identity.
 */
export function isIdentifierLike(token: string): boolean {
  if (token.length < 2) return false;
  let digit = false;
  let lower = false;
  let upper = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digit = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper++;
    else if (c === 64) return token.length >= 3;
  }
  if (digit) return true;
  return !lower && upper >= 3 && upper === token.length && token.length <= 10;
}

/** Identifier-like tokens of a text, in order of first appearance, deduplicated. */
export function extractIdentifiers(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    const token = normaliseToken(match[0]);
    if (!seen.has(token) && isIdentifierLike(token)) {
      seen.add(token);
      out.push(token);
    }
  }
  return out;
}

/** Adds every identifier-like token of `text` to `into`. */
export function collectIdentifiers(text: string, into: Set<string>): void {
  for (const match of text.matchAll(CANDIDATE)) {
    const token = normaliseToken(match[0]);
    if (isIdentifierLike(token)) into.add(token);
  }
}

function normaliseToken(raw: string): string {
  let t = raw.replace(TRAILING, '');
  if (t.startsWith('$')) t = t.slice(1);
  // "1,234.50" and "1234.50" are the same amount.
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  return t;
}
