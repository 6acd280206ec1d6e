import { deepEqual } from './json-schema-validator';

/** An answer reduced to what is compared: its text and its tool calls. */
export interface ComparableAnswer {
  content: string | null;
  tool_calls: { name: string; arguments: string }[];
}

export interface AnswerComparison {
  /** Same text (whitespace-normalised), or the same tool calls with identical argument strings. */
  exact: boolean;
  /** Both answers are JSON (or tool calls) and structurally equal, key order ignored. */
  json_equal: boolean;
  /** Cosine similarity of word counts in [0, 1] (1 for two empty answers). */
  similarity: number;
  /** exact, or json_equal, or similarity ≥ the agreement threshold. */
  agree: boolean;
}

/** Word-count cosine at or above which two free-text answers count as agreeing. Default 0.8. */
export const DEFAULT_AGREEMENT_THRESHOLD = 0.8;

/** The first choice of an OpenAI chat.completion object (how job records store responses). */
export function comparableFromCompletion(completion: unknown): ComparableAnswer | undefined {
  const message = (completion as { choices?: { message?: { content?: unknown; tool_calls?: unknown } }[] } | undefined)?.choices?.[0]?.message;
  if (!message) return undefined;
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as { function?: { name?: unknown; arguments?: unknown } }[]) : [];
  return {
    content: typeof message.content === 'string' ? message.content : null,
    tool_calls: calls.map((c) => ({ name: String(c.function?.name ?? ''), arguments: String(c.function?.arguments ?? '') })),
  };
}

/**
 * Compares a routed answer with the frontier's answer to the same request.
 * Tool-call answers compare as a list of { name, arguments }; text answers
 * as text, and as JSON when both parse. Similarity is the cosine of word
 * counts (lower-cased letters/digits runs), cheap and order-insensitive.
 */
export function compareAnswers(a: ComparableAnswer, b: ComparableAnswer, threshold = DEFAULT_AGREEMENT_THRESHOLD): AnswerComparison {
  const toolsA = a.tool_calls.length > 0;
  const toolsB = b.tool_calls.length > 0;
  let exact: boolean;
  let jsonEqual: boolean;
  if (toolsA || toolsB) {
    exact = toolsA && toolsB && a.tool_calls.length === b.tool_calls.length && a.tool_calls.every((c, i) => c.name === b.tool_calls[i].name && c.arguments === b.tool_calls[i].arguments);
    jsonEqual = toolsA && toolsB && deepEqual(structured(a), structured(b));
  } else {
    exact = normalise(a.content ?? '') === normalise(b.content ?? '');
    const ja = parseJson(a.content);
    const jb = parseJson(b.content);
    jsonEqual = ja.ok && jb.ok && deepEqual(ja.value, jb.value);
  }
  const similarity = exact || jsonEqual ? 1 : cosine(wordCounts(flatten(a)), wordCounts(flatten(b)));
  return { exact, json_equal: jsonEqual, similarity, agree: exact || jsonEqual || similarity >= threshold };
}

function structured(answer: ComparableAnswer): unknown {
  return answer.tool_calls.map((c) => {
    const args = parseJson(c.arguments);
    return { name: c.name, arguments: args.ok ? args.value : c.arguments };
  });
}

function flatten(answer: ComparableAnswer): string {
  const calls = answer.tool_calls.map((c) => `${c.name} ${c.arguments}`).join('\n');
  return [answer.content ?? '', calls].filter(Boolean).join('\n');
}

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

function parseJson(text: string | null): { ok: true; value: unknown } | { ok: false } {
  if (!text) return { ok: false };
  const trimmed = text.trim();
  // Only objects and arrays: "42" or "true" parsing as JSON says nothing about structure.
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  if (a.size === 0 || b.size === 0) return 0;
  let dot = 0;
  for (const [word, n] of a) dot += n * (b.get(word) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, n) => s + n * n, 0));
  return Math.min(1, dot / (norm(a) * norm(b)));
}
