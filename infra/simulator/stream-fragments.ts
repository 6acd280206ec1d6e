import { tokenPieces } from './tokens';

/** Splits text into stream deltas of about two tokens each, like a model emitting tokens. */
export function streamFragments(text: string, piecesPerFragment = 2): string[] {
  if (!text) return [];
  const out: string[] = [];
  let current = '';
  let count = 0;
  for (const { piece } of tokenPieces(text)) {
    current += piece;
    if (++count >= piecesPerFragment) {
      out.push(current);
      current = '';
      count = 0;
    }
  }
  if (current) out.push(current);
  return out;
}
