import type { Embedder } from '../embedders/embedder';
import { analyseText } from '../guards/text-analysis';
import { casedEvidence } from './names';
import { stemsOf, trigramsOf, type PreparedText } from './pair-features';

/** Prepares a text with a vector already computed (the lookup's query vector, or a stored entry's). */
export function prepareText(text: string, vector?: Float32Array): PreparedText {
  const analysis = analyseText(text);
  const flat = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
  return { analysis, vector, trigrams: trigramsOf(text), stems: stemsOf(analysis), question: /\?\s*$/.test(text), ...casedEvidence(text), flat };
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

/**
 * Prepared texts kept between lookups (least recently used out): a stored entry's text is judged at every lookup that
 * meets it, and a query's text is often the next entry's. Its analysis is ~30 µs a text, up to seven per lookup.
 */
export class PreparedTextCache {
  private readonly texts = new Map<string, PreparedText>();

  constructor(private readonly capacity = 4096) {}

  get(text: string): PreparedText {
    let prepared = this.texts.get(text);
    if (prepared) this.texts.delete(text);
    else prepared = prepareText(text);
    this.texts.set(text, prepared);
    if (this.texts.size > this.capacity) this.texts.delete(this.texts.keys().next().value as string);
    return prepared;
  }
}
