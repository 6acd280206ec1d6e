/**
 * Tokeniser shared by the embedded embedder and the false-hit guards. It
 * follows the GloVe vocabulary's conventions (lowercase, punctuation as its
 * own token) so most tokens hit a word vector, and it expands negative
 * contractions to "not" so a moved negation is visible to the guards.
 */
const TOKEN_RE = /\p{N}+(?:[.,:]\p{N}+)*(?:st|nd|rd|th|s)?|[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;

const CONTRACTIONS: Record<string, string[]> = {
  "can't": ['can', 'not'],
  cannot: ['can', 'not'],
  "won't": ['will', 'not'],
  "shan't": ['shall', 'not'],
  "ain't": ['is', 'not'],
  "i'm": ['i', 'am'],
  "let's": ['let', 'us'],
};

export function normaliseText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'").replace(/[“”]/g, '"');
}

/** Lowercased tokens; "don't" → ["do", "not"], "what's" → ["what", "'s"]. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const norm = normaliseText(text);
  // match() gives the matched strings without matchAll's match object per token (the embedder's main garbage).
  for (const t of norm.match(TOKEN_RE) ?? []) {
    if (t.length > 2 && t.includes("'")) {
      const fixed = CONTRACTIONS[t];
      if (fixed) {
        out.push(...fixed);
        continue;
      }
      if (t.endsWith("n't")) {
        out.push(t.slice(0, -3), 'not');
        continue;
      }
      const at = t.indexOf("'");
      out.push(t.slice(0, at), t.slice(at));
      continue;
    }
    out.push(t);
  }
  return out;
}

/**
 * Tokens as written (case kept), for the guards: an all-caps token ("IT",
 * "US") is an acronym, not the pronoun or function word its lowercase is.
 */
export function tokenizeCased(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').replace(/[’‘`]/g, "'").matchAll(TOKEN_RE)) out.push(m[0]);
  return out;
}

export function isWordToken(token: string): boolean {
  return /[\p{L}\p{N}]/u.test(token);
}
