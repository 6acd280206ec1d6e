import type { Rng } from './prng';

/**
 * Plausible filler prose. Sentences come from a handful of templates over a
 * small vocabulary, drawn from the prompt-seeded PRNG, so answers read like
 * text (and tokenize like text) without pretending to be meaningful.
 */

const NOUNS = [
  'system',
  'request',
  'answer',
  'result',
  'model',
  'process',
  'value',
  'report',
  'team',
  'customer',
  'order',
  'account',
  'service',
  'schedule',
  'budget',
  'policy',
  'record',
  'option',
  'approach',
  'question',
  'example',
  'detail',
  'change',
  'method',
  'summary',
  'project',
  'deadline',
  'invoice',
  'message',
  'document',
  'feature',
  'limit',
  'estimate',
  'plan',
  'review',
  'update',
  'issue',
  'response',
  'context',
  'pattern',
  'dataset',
  'metric',
  'threshold',
  'workflow',
  'step',
];
const ADJECTIVES = [
  'clear',
  'simple',
  'recent',
  'current',
  'useful',
  'main',
  'specific',
  'general',
  'reliable',
  'important',
  'typical',
  'small',
  'large',
  'previous',
  'final',
  'relevant',
  'accurate',
  'practical',
  'detailed',
  'consistent',
  'possible',
  'careful',
];
const VERBS = [
  'shows',
  'supports',
  'explains',
  'describes',
  'requires',
  'includes',
  'improves',
  'reduces',
  'confirms',
  'affects',
  'covers',
  'follows',
  'matches',
  'changes',
  'suggests',
  'reflects',
  'handles',
  'defines',
  'limits',
  'provides',
];
const ADVERBS = ['usually', 'often', 'clearly', 'generally', 'typically', 'mostly', 'directly', 'already', 'currently', 'carefully'];
const CONNECTORS = ['In short,', 'In practice,', 'As a result,', 'For example,', 'Overall,', 'In most cases,', 'Note that', 'Also,'];
const FIRST_NAMES = ['Alex', 'Sam', 'Jordan', 'Maria', 'Chen', 'Priya', 'Lucas', 'Emma', 'Noah', 'Fatima'];
const CITIES = ['Paris', 'Berlin', 'Tokyo', 'Lisbon', 'Toronto', 'Madrid', 'Oslo', 'Seoul', 'Austin', 'Dublin'];

type Template = (r: Rng) => string;

const TEMPLATES: Template[] = [
  (r) => `The ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} the ${r.pick(NOUNS)} of the ${r.pick(NOUNS)}.`,
  (r) => `${r.pick(CONNECTORS)} the ${r.pick(NOUNS)} ${r.pick(ADVERBS)} ${r.pick(VERBS)} a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}.`,
  (r) => `A ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} how the ${r.pick(NOUNS)} ${r.pick(VERBS)} each ${r.pick(NOUNS)}.`,
  (r) => `This ${r.pick(NOUNS)} ${r.pick(ADVERBS)} ${r.pick(VERBS)} the ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}, and the ${r.pick(NOUNS)} ${r.pick(VERBS)} it.`,
  (r) => `${r.pick(CONNECTORS)} a ${r.pick(NOUNS)} with a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} ${r.pick(VERBS)} the ${r.pick(NOUNS)}.`,
  (r) => `The ${r.pick(NOUNS)} ${r.pick(VERBS)} ${r.int(2, 12)} ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}s in the ${r.pick(NOUNS)}.`,
];

export function sentence(rng: Rng): string {
  const s = rng
    .pick(TEMPLATES)(rng)
    .replace(/\b([Aa]) ([aeiou])/g, '$1n $2');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A few words, for short string values. */
export function phrase(rng: Rng, words = 3): string {
  const out = [rng.pick(ADJECTIVES)];
  for (let i = 1; i < words; i++) out.push(rng.pick(NOUNS));
  return out.join(' ');
}

export function personName(rng: Rng): string {
  return rng.pick(FIRST_NAMES);
}

export function cityName(rng: Rng): string {
  return rng.pick(CITIES);
}

/** Sentences until the approximate token target is reached (about 1.25 tokens per word). */
export function prose(rng: Rng, targetTokens: number): string {
  const parts: string[] = [];
  let tokens = 0;
  while (tokens < targetTokens) {
    const s = sentence(rng);
    parts.push(s);
    tokens += s.split(' ').length * 1.25 + 1;
  }
  return parts.join(' ');
}

// Identifiers worth echoing: order ids, snake_case, camelCase, acronyms, quoted strings and numbers.
const IDENTIFIER = /"[^"\n]{1,40}"|\b[A-Za-z]+[-_]?\d[\w-]*\b|\b[A-Z]{2,}[A-Z0-9_-]*\b|\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b\d+(?:[.,]\d+)?%?/g;

/** Up to `max` distinct identifiers and numbers from a text, in order of appearance. */
export function extractEchoes(text: string, max = 5): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of sample(text).matchAll(IDENTIFIER)) {
    const v = m[0].startsWith('"') ? m[0].slice(1, -1) : m[0];
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
    if (out.length >= max) break;
  }
  return out;
}

/** Capitalised words that do not start a sentence (names, cities, products), in order. */
export function extractProperNouns(text: string, max = 5): string[] {
  const out: string[] = [];
  for (const m of sample(text).matchAll(/(?<![.!?]\s|^)(?<=\s|\()([A-Z][a-z]{2,})\b/g)) {
    if (!out.includes(m[1])) out.push(m[1]);
    if (out.length >= max) break;
  }
  return out;
}

/** The start and end of a long message: where the question and its identifiers usually are. */
function sample(text: string): string {
  return text.length <= 4000 ? text : `${text.slice(0, 1000)}\n${text.slice(-3000)}`;
}
