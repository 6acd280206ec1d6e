import { Rng, seedOf } from './prng';
import { countTokens, truncateToTokens } from './tokens';
import { valueForSchema, type ValueHints } from './json-schema-value';
import { extractEchoes, extractProperNouns, prose } from './words';

/**
 * The simulated "model": a deterministic function from a provider-neutral
 * view of the prompt to an answer. The same prompt always gives the same
 * answer; the PRNG is seeded by a hash of the conversation.
 */

export interface SimTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments / input. */
  schema: Record<string, unknown>;
}

export type SimToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface SimPrompt {
  /** The whole conversation as text, in order: the seed of every decision. */
  seedText: string;
  /** Text of the last user turn (for echoes and query-like arguments). */
  lastUserText: string;
  /** The conversation ends with tool results: answer with text about them. */
  toolResultText?: string;
  tools: SimTool[];
  toolChoice: SimToolChoice;
  /** Structured output: `{}` for json_object, `{ schema }` for json_schema. */
  json?: { schema?: Record<string, unknown> };
  maxTokens?: number;
  stop?: string[];
  /** Choice index (OpenAI `n`) and seed, so variants differ deterministically. */
  variant?: number;
}

export type SimAnswer =
  | { kind: 'text'; text: string; outputTokens: number; finish: 'stop' | 'length' | 'stop_sequence'; stopSequence?: string }
  | { kind: 'tool'; name: string; arguments: string; outputTokens: number; finish: 'tool' | 'length' };

// Answers are pure functions of the prompt; benchmarks repeat prompts, so a small memo saves the work.
const MEMO_SIZE = 512;
const MEMO_MAX_KEY_CHARS = 32_768;
const memo = new Map<string, SimAnswer>();

export function generateAnswer(prompt: SimPrompt): SimAnswer {
  const key = `${prompt.variant ?? 0}\u0002${prompt.maxTokens ?? ''}\u0002${JSON.stringify(prompt.stop ?? null)}\u0002${JSON.stringify(prompt.toolChoice)}\u0002${
    prompt.json ? JSON.stringify(prompt.json) : ''
  }\u0002${prompt.tools.length ? JSON.stringify(prompt.tools) : ''}\u0002${prompt.toolResultText ?? ''}\u0002${prompt.lastUserText}\u0002${prompt.seedText}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const answer = computeAnswer(prompt);
  if (key.length > MEMO_MAX_KEY_CHARS) return answer; // huge prompts would make the memo hold hundreds of MB
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  memo.set(key, answer);
  return answer;
}

function computeAnswer(prompt: SimPrompt): SimAnswer {
  const rng = new Rng(seedOf(`${prompt.variant ?? 0}\0${prompt.seedText}`));
  const echoes = extractEchoes(prompt.toolResultText ?? prompt.lastUserText);
  const hints: ValueHints = {
    echoes: echoes.filter((e) => !/^\d/.test(e)),
    properNouns: extractProperNouns(prompt.toolResultText ?? prompt.lastUserText),
    numbers: echoes.filter((e) => /^\d+(\.\d+)?$/.test(e)).map(Number),
    userText: prompt.lastUserText,
  };

  const tool = prompt.toolResultText === undefined ? chooseTool(prompt, rng) : undefined;
  if (tool) {
    const args = JSON.stringify(valueForSchema(tool.schema, rng, hints));
    // The real APIs count a few tokens of call framing on top of the arguments.
    const tokens = countTokens(args) + 8;
    if (prompt.maxTokens !== undefined && tokens > prompt.maxTokens) {
      const cut = truncateToTokens(args, Math.max(0, prompt.maxTokens - 8));
      return { kind: 'tool', name: tool.name, arguments: cut.text, outputTokens: prompt.maxTokens, finish: 'length' };
    }
    return { kind: 'tool', name: tool.name, arguments: args, outputTokens: tokens, finish: 'tool' };
  }

  let text: string;
  if (prompt.json) {
    const schema = prompt.json.schema ?? { type: 'object', properties: { answer: { type: 'string' }, keywords: { type: 'array', items: { type: 'string' } } } };
    const value = prompt.json.schema ? valueForSchema(schema, rng, hints) : { answer: prose(rng, 20), keywords: echoes.length ? echoes : ['summary'] };
    text = JSON.stringify(value);
  } else {
    text = proseAnswer(prompt, rng, echoes);
  }
  return finishText(text, prompt);
}

/** Applies stop sequences and the max-tokens cap, like the providers do. */
function finishText(text: string, prompt: SimPrompt): SimAnswer {
  let finish: 'stop' | 'length' | 'stop_sequence' = 'stop';
  let stopSequence: string | undefined;
  for (const stop of prompt.stop ?? []) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) {
      text = text.slice(0, at);
      finish = 'stop_sequence';
      stopSequence = stop;
    }
  }
  let tokens = countTokens(text);
  if (prompt.maxTokens !== undefined && tokens > prompt.maxTokens) {
    const cut = truncateToTokens(text, prompt.maxTokens);
    text = cut.text;
    tokens = cut.tokens;
    finish = 'length';
    stopSequence = undefined;
  }
  return { kind: 'text', text, outputTokens: Math.max(1, tokens), finish, stopSequence };
}

function proseAnswer(prompt: SimPrompt, rng: Rng, echoes: string[]): string {
  // Longer questions get longer answers, within a range that keeps tests fast.
  const target = 25 + rng.int(0, 40) + Math.min(200, Math.floor(countTokens(prompt.lastUserText) * 0.3));
  const body = prose(rng, target);
  if (prompt.toolResultText !== undefined) {
    const facts = echoes.length ? ` (${echoes.join(', ')})` : '';
    return `Based on the tool result${facts}, here is the answer. ${body}`;
  }
  if (echoes.length) return `Regarding ${listOf(echoes)}: ${body}`;
  return body;
}

function listOf(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The tool the model calls, or undefined for a text answer. */
function chooseTool(prompt: SimPrompt, rng: Rng): SimTool | undefined {
  if (prompt.tools.length === 0 || prompt.toolChoice === 'none') return undefined;
  if (typeof prompt.toolChoice === 'object') {
    const name = prompt.toolChoice.name;
    return prompt.tools.find((t) => t.name === name);
  }
  // Prefer the tool whose name/description shares most words with the question.
  const words = new Set(prompt.lastUserText.toLowerCase().match(/[a-z]{3,}/g) ?? []);
  let best: SimTool | undefined;
  let bestScore = 0;
  for (const t of prompt.tools) {
    const own = `${t.name.replace(/[_-]/g, ' ')} ${t.description ?? ''}`.toLowerCase().match(/[a-z]{3,}/g) ?? [];
    const score = new Set(own.filter((w) => words.has(w))).size;
    if (score > bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best ?? prompt.tools[Math.floor(rng.next() * prompt.tools.length)];
}
