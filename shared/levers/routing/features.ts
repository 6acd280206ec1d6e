import * as hashing from './hashing';
import * as lexicons from './lexicons';
import type { RequestSummary } from './request-summary';

// Local bindings: some module loaders (tsx/esbuild) turn every call through an
// imported binding into a getter call, which shows up on the hot path.
const fnv1a = hashing.fnv1a;
const mixBlock = hashing.mixBlock;
const CUE_FAMILY_NAMES = lexicons.CUE_FAMILY_NAMES;
/** Word → the indices (in CUE_FAMILY_NAMES) of its cue families, repeats kept. */
const CUE_FAMILY_IDS: ReadonlyMap<string, readonly number[]> = new Map([...lexicons.CUE_INDEX].map(([w, fams]) => [w, fams.map((f) => CUE_FAMILY_NAMES.indexOf(f))]));

/** Bumped whenever the meaning of a feature changes; weights.json records the version it was trained with. */
export const FEATURE_VERSION = 6;

/** The prompt's shape. Every feature is emitted twice: once shared, once in its shape's block (domain adaptation by feature augmentation). */
export type PromptFormat = 'mc' | 'open';
const BLOCK: Record<PromptFormat, number> = { mc: 1, open: 2 };

export interface SparseFeatures {
  idx: number[];
  val: number[];
  format: PromptFormat;
  /** Feature names, only when asked for (training diagnostics). */
  names?: string[];
}

const OPTION_LINE = /^\s*\(?([A-Ja-j])[).:]\s*(.*)$/;
const WORD = /[a-z][a-z'+#]*|\d+(?:[.,]\d+)*/g;
const MATH_CHARS = /[=+*/^<>%√π∑∫≤≥±×÷]/g;
const CODE_MARKERS = /```|\bdef |\bfunction\b|\breturn\b|=>|\bconsole\.|#include|\bpublic static\b|\bimport |\bSELECT\b|[{};]\s*$/gm;
const SENTENCE_END = /[.!?](\s|$)/g;
// Counted with a regex, not a charCodeAt loop: the prompt is a concatenation (head + tail), and V8 walks such a string several times slower.
const NEWLINE = /\n/g;
const QUESTION_MARK = /\?/g;
const DIGIT = /\d/g;
const QUOTE = /["“”]/g;
const NUMBER = /\d+(?:[.,]\d+)*/g;
const NUMBERED_ITEM = /^\s*(\d+[.)]|[a-z][.)]|[-*•])\s+/gm;
const PHRASES: Array<[string, RegExp]> = [
  ['which_of', /\bwhich of (the|these)\b/],
  ['step_by_step', /\bstep[- ]by[- ]step\b/],
  ['how_many', /\bhow (many|much)\b/],
  ['json', /\bjson\b|\bcsv\b|\byaml\b/],
  ['yes_no', /\byes or no\b|\btrue or false\b/],
  ['one_word', /\bone word\b|\bonly the (label|name|number|answer)\b|\bjust the\b/],
  ['length_limit', /\b(fewer|less) than \d+|\bin \d+ words\b|\bunder \d+ words\b/],
  ['most_likely', /\bmost likely\b|\bbest (describes|explains)\b|\bmost (appropriate|accurate)\b/],
  ['if_then', /\bif\b[^.?!]{3,80}\b(then|what|how)\b/],
  ['previous', /\b(previous|above|earlier) (response|answer|reply|question)\b/],
  ['statement_pair', /statement 1\s*\|/],
  ['scenario_pair', /scenario 1\s*\|/],
  ['roman', /\b(i|ii|iii|iv) (and|only)\b/],
  ['all_none', /\b(all|none) of the above\b|\bboth\b/],
  ['persona', /\b(act as|pretend|role of|you are a|imagine you|as if you)\b/],
  ['detail', /\b(in detail|detailed|comprehensive|thorough|in depth)\b/],
];

/** PHRASES with their feature names built once. */
const PHRASE_FEATURES: Array<[string, RegExp]> = PHRASES.map(([name, re]) => [`p:${name}`, re]);

const log1 = (x: number, scale: number) => Math.min(2, Math.log1p(x) / Math.log1p(scale));

/** Receives each (hashed index, value) pair; training collects them, inference sums weights on the fly. */
interface Consumer {
  emit(index: number, value: number, name?: string): void;
  readonly wantsNames: boolean;
}

class Sink {
  readonly names?: true;
  constructor(
    private readonly mask: number,
    private readonly block: number,
    private readonly consumer: Consumer,
  ) {
    if (consumer.wantsNames) this.names = true;
  }
  add(name: string, value: number): void {
    if (value === 0 || !Number.isFinite(value)) return;
    // The name only when the consumer keeps names (training): "open|<name>" was built for every feature of every decision.
    this.addHash(fnv1a(name), value, this.names ? name : undefined);
  }
  addHash(h: number, value: number, name?: string): void {
    const c = this.consumer;
    c.emit(mixBlock(h, 0) & this.mask, value, name);
    c.emit(mixBlock(h, this.block) & this.mask, value, name === undefined ? undefined : `${this.block === 1 ? 'mc' : 'open'}|${name}`);
  }
}

interface Options {
  stem: string;
  options: string[];
}

/** Splits a multiple-choice prompt into its stem and lettered options (A., B), (C) …), consecutive from A. */
export function parseOptions(text: string): Options {
  const lines = text.split('\n');
  const options: string[] = [];
  let first = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = OPTION_LINE.exec(lines[i]);
    if (!m) continue;
    const expected = String.fromCharCode(65 + options.length);
    if (m[1].toUpperCase() !== expected) {
      if (m[1].toUpperCase() === 'A') {
        options.length = 0;
        first = i;
        options.push(m[2]);
      }
      continue;
    }
    if (options.length === 0) first = i;
    options.push(m[2]);
  }
  if (options.length < 2) return { stem: text, options: [] };
  return { stem: lines.slice(0, first).join('\n'), options };
}

/** Mean pairwise Jaccard similarity of the options' word sets (0 = nothing shared, 1 = the same words). */
function optionOverlap(options: string[]): number {
  const sets = options.map((o) => new Set(words(o)));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      let common = 0;
      for (const w of sets[i]) if (sets[j].has(w)) common++;
      const union = sets[i].size + sets[j].size - common;
      sum += union ? common / union : 0;
      pairs++;
    }
  }
  return pairs ? sum / pairs : 0;
}

/** For all-numeric options, how close the values are (1 − (max − min) / max |value|): near answers need exact work. */
function numericSpread(options: string[]): number {
  const values = options.map((o) => /^[\s$€£-]*(-?\d+(?:[.,]\d+)?)/.exec(o)?.[1]).map((v) => (v === undefined ? NaN : Number(v.replace(',', '.'))));
  if (values.some((v) => !Number.isFinite(v))) return 0;
  const max = Math.max(...values.map(Math.abs));
  return max > 0 ? Math.max(0, 1 - (Math.max(...values) - Math.min(...values)) / max) : 0;
}

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Matches of a global regex (`test` advances lastIndex as `exec` does, without building a match array). */
function countMatches(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.test(text)) n++;
  return n;
}

const cueCounts = new Int32Array(CUE_FAMILY_NAMES.length);

/** Per cue family, min(count, 4) / 4 of the tokens in it, as feature `${prefix}${family}` (hashed without building the name). */
function addCues(sink: Sink, prefix: string, tokens: string[]): void {
  const counts = cueCounts;
  counts.fill(0);
  for (let i = 0; i < tokens.length; i++) {
    const fams = CUE_FAMILY_IDS.get(tokens[i]);
    if (fams) for (let k = 0; k < fams.length; k++) counts[fams[k]]++;
  }
  let prefixHash: number | undefined;
  for (let f = 0; f < counts.length; f++) {
    if (!counts[f]) continue;
    prefixHash ??= fnv1a(prefix);
    const family = CUE_FAMILY_NAMES[f];
    sink.addHash(fnv1a(family, prefixHash), Math.min(counts[f], 4) / 4, sink.names ? `${prefix}${family}` : undefined);
  }
}

const UNIGRAM_SEED = fnv1a('u:');
const BIGRAM_SEED = fnv1a('b:');
const FNV_PRIME = 0x01000193;
const SPACE = 32;
const seenTokens = new hashing.HashOrderSet();

/**
 * Word unigrams and bigrams, hashed without building strings, de-duplicated
 * in first-seen order and scaled by 1/sqrt(count) so long prompts do not
 * dominate. The hashes are fnv1a("u:" + word) and fnv1a("b:" + previous + " "
 * + word); FNV-1a runs on over concatenation, so one pass over each word's
 * characters advances all three (its unigram, the bigram it ends, and the
 * "b:word " prefix of the bigram it starts).
 */
function addTokens(sink: Sink, tokens: string[]): void {
  const seen = seenTokens;
  seen.clear();
  const names = sink.names ? new Map<number, string>() : undefined;
  let prev = '';
  let bigramPrefix = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].charCodeAt(0) <= 57 ? '#' : tokens[i];
    let u = UNIGRAM_SEED;
    let b = bigramPrefix;
    let next = BIGRAM_SEED;
    for (let k = 0; k < t.length; k++) {
      const c = t.charCodeAt(k);
      u = Math.imul(u ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, FNV_PRIME);
      next = Math.imul(next ^ c, FNV_PRIME);
    }
    u >>>= 0;
    seen.add(u);
    names?.set(u, `u:${t}`);
    if (i > 0) {
      b >>>= 0;
      seen.add(b);
      names?.set(b, `b:${prev}_${t}`);
    }
    bigramPrefix = Math.imul(next ^ SPACE, FNV_PRIME) >>> 0;
    prev = t;
  }
  const scale = 1 / Math.sqrt(seen.size || 1);
  const order = seen.order;
  for (let k = 0, n = seen.size; k < n; k++) sink.addHash(order[k], scale, names?.get(order[k]));
}

/**
 * Features of a request: hashed word unigrams and bigrams of the last user
 * turn plus domain-general structure (length, answer-option layout, numbers
 * and maths density, code markers, cue-word families, multi-part layout,
 * tools and response format, conversation shape).
 */
export function extractFeatures(s: RequestSummary, bits: number, withNames = false): SparseFeatures {
  const idx: number[] = [];
  const val: number[] = [];
  const names: string[] | undefined = withNames ? [] : undefined;
  const format = walkFeatures(s, bits, {
    wantsNames: withNames,
    emit(index, value, name) {
      idx.push(index);
      val.push(value);
      names?.push(name ?? '?');
    },
  });
  return { idx, val, format, names };
}

/** Logit of a linear model over the features, without materialising them (the inference hot path). */
export function linearScore(s: RequestSummary, bits: number, weights: Float32Array): { z: number; format: PromptFormat } {
  const acc = {
    z: 0,
    wantsNames: false,
    emit(index: number, value: number) {
      acc.z += weights[index] * value;
    },
  };
  const format = walkFeatures(s, bits, acc);
  return { z: acc.z, format };
}

function walkFeatures(s: RequestSummary, bits: number, consumer: Consumer): PromptFormat {
  const text = s.lastUser;
  const { stem, options } = parseOptions(text);
  const format: PromptFormat = options.length >= 2 ? 'mc' : 'open';
  const sink = new Sink((1 << bits) - 1, BLOCK[format], consumer);
  const lower = text.toLowerCase();
  // words(x) is x.toLowerCase().match(WORD): the lowered text serves the whole prompt (and the stem when it is the whole prompt).
  const textWords = lower.match(WORD) ?? [];
  const stemWords = stem === text ? textWords : words(stem);
  const allWords = options.length ? textWords : stemWords;

  sink.add('bias', 1);
  sink.add('len', log1(s.lastUserChars, 4000));
  sink.add('stem_len', log1(stem.length, 2000));
  sink.add('words', log1(stemWords.length, 500));
  sink.add('lines', log1(countMatches(stem, NEWLINE), 40));
  sink.add('sentences', log1(countMatches(stem, SENTENCE_END), 20));
  sink.add('qmarks', Math.min(countMatches(stem, QUESTION_MARK), 5) / 5);
  const digits = countMatches(text, DIGIT);
  sink.add('digit_ratio', Math.min(1, (digits / Math.max(1, text.length)) * 10));
  sink.add('numbers', log1(countMatches(stem, NUMBER), 20));
  sink.add('math_ops', log1(countMatches(text, MATH_CHARS), 20));
  sink.add('latex', /\$[^$]+\$|\\frac|\\sqrt|\\sum|\\int/.test(text) ? 1 : 0);
  sink.add('code', log1(countMatches(text, CODE_MARKERS), 10));
  sink.add('code_fence', text.includes('```') ? 1 : 0);
  const avgLen = stemWords.reduce((a, w) => a + w.length, 0) / Math.max(1, stemWords.length);
  sink.add('avg_word_len', Math.max(-1, Math.min(1, (avgLen - 4.5) / 2)));
  sink.add('long_words', stemWords.filter((w) => w.length >= 10).length / Math.max(1, stemWords.length));
  sink.add('numbered_items', log1(countMatches(stem, NUMBERED_ITEM), 10));
  sink.add('quotes', Math.min(countMatches(stem, QUOTE), 6) / 6);
  sink.add('ends_question', /\?\s*$/.test(stem.trim()) ? 1 : 0);
  for (const [name, re] of PHRASE_FEATURES) if (re.test(lower)) sink.add(name, 1);

  if (format === 'mc') {
    const lens = options.map((o) => o.length);
    const mean = lens.reduce((a, b) => a + b, 0) / lens.length;
    const sd = Math.sqrt(lens.reduce((a, b) => a + (b - mean) ** 2, 0) / lens.length);
    sink.add('opt_n', options.length / 4);
    sink.add('opt_avg_len', log1(mean, 200));
    sink.add('opt_max_len', log1(Math.max(...lens), 300));
    sink.add('opt_len_cv', Math.min(2, sd / Math.max(1, mean)));
    sink.add('opt_numeric', options.filter((o) => /^[\s$-]*\d/.test(o)).length / options.length);
    sink.add(
      'opt_math',
      log1(
        options.reduce((a, o) => a + countMatches(o, MATH_CHARS), 0),
        10,
      ),
    );
    sink.add('opt_words', log1(words(options.join(' ')).length / options.length, 40));
    sink.add('opt_true_false', options.some((o) => /^(true|false|wrong|not wrong)\b/i.test(o)) ? 1 : 0);
    sink.add('stem_blank', /[?:]\s*$/.test(stem.trim()) ? 0 : 1);
    // How alike the options are (hard distractors differ by a word or two), whatever the subject.
    sink.add('opt_overlap', optionOverlap(options));
    sink.add('opt_numeric_spread', numericSpread(options));
  }
  // A negation the writer stressed ("Which of the following is NOT…", "EXCEPT"): a reversed question, in any domain.
  sink.add('caps_negation', /\b(NOT|EXCEPT|LEAST|FALSE|INCORRECT|NEVER)\b/.test(stem) ? 1 : 0);

  const leadWords = stemWords.slice(0, 2);
  if (leadWords[0]) sink.add(`lead:${leadWords[0]}`, 1);
  if (leadWords[1]) sink.add(`lead2:${leadWords[0]}_${leadWords[1]}`, 1);
  addCues(sink, 'cue:', allWords);
  addCues(sink, 'leadcue:', stemWords.slice(0, 4));
  addTokens(sink, allWords.length > 360 ? allWords.slice(0, 280).concat(allWords.slice(-80)) : allWords);

  sink.add('has_system', s.system ? 1 : 0);
  sink.add('system_len', log1(s.system.length, 4000));
  if (s.system) addCues(sink, 'syscue:', words(s.system));
  sink.add('turns', log1(s.userTurns - 1 + s.assistantTurns, 20));
  sink.add('earlier_len', log1(s.earlierChars, 20000));
  if (s.earlierUser) addCues(sink, 'prevcue:', words(s.earlierUser));
  sink.add('tool_msgs', log1(s.toolMessages, 10));
  sink.add('tools', log1(s.tools, 20));
  sink.add('tool_forced', s.toolChoiceForced ? 1 : 0);
  if (s.responseFormat !== 'text') sink.add(`rf:${s.responseFormat}`, 1);
  if (s.maxTokens !== undefined) sink.add('max_tokens', log1(s.maxTokens, 8000));
  return format;
}
