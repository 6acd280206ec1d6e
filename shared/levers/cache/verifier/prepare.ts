import type { Embedder } from '../embedders/embedder';
import { analyseText } from '../guards/text-analysis';
import { stemsOf, trigramsOf, type PreparedText } from './pair-features';

/** Prepares a text with a vector already computed (the lookup's query vector, or a stored entry's). */
export function prepareText(text: string, vector?: Float32Array): PreparedText {
  const analysis = analyseText(text);
  return { analysis, vector, trigrams: trigramsOf(text), stems: stemsOf(analysis), question: /\?\s*$/.test(text) };
}

/** Prepares texts in bulk with the embedder (training and eval scripts). */
export async function prepareTexts(texts: string[], embedder: Embedder, batch = 64): Promise<Map<string, PreparedText>> {
  const out = new Map<string, PreparedText>();
  const unique = [...new Set(texts)];
  for (let i = 0; i < unique.length; i += batch) {
    const chunk = unique.slice(i, i + batch);
    const { vectors } = await embedder.embed(chunk);
    chunk.forEach((t, j) => out.set(t, prepareText(t, vectors[j])));
  }
  return out;
}
