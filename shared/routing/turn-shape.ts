import type { RequestSummary } from './request-summary';
import { isWordProblem } from './task-hints';

/**
 * Shapes of a request that the score cannot judge well and the design card
 * routes by rule: an agent's tool-selection step, and an everyday question.
 * The classifier's reference traffic (MMLU, MT-Bench, the team's task
 * examples) holds neither; both score high for reasons that say nothing
 * about difficulty (a long policy prompt full of "book", "cancel", "check";
 * a "why" question), which used to send them to the frontier by default.
 */

/** An agent step, described for the decision's reason; undefined when the request is not one. */
export function agentStep(s: RequestSummary): string | undefined {
  const offered = s.tools > 0;
  const inUse = s.toolCalls > 0 || s.toolMessages > 0;
  if (!offered && !inUse) return undefined;
  // An assistant prefill (latest message by the assistant) continues a text; it is not a tool-selection step.
  if (s.lastRole !== 'user' && s.lastRole !== 'tool') return undefined;
  const what = [offered ? `${s.tools} tool${s.tools === 1 ? '' : 's'} offered` : '', inUse ? `${s.toolCalls} tool call${s.toolCalls === 1 ? '' : 's'} so far` : ''].filter(Boolean).join(', ');
  return `agent step (${what}; latest message a ${s.lastRole === 'tool' ? 'tool result' : 'user turn'})`;
}

/** Longest text that still counts as an everyday question (Quora-style questions: median 52, p99 150 characters). */
export const EVERYDAY_MAX_CHARS = 300;

// Maths or code on the page: operators between terms, LaTeX/[math] markup, code fences or inline code.
const MATHS_OR_CODE = /[=<>^√∑∫]|\\\(|\\\[|\$[^$\s]|\[math\]|`|\b\d+\s*[+*/x×÷-]\s*\d+\b/i;
// A task phrased as a polite question ("Can you write a poem…?", "Please explain step by step…?") is that task, not a question.
const REQUEST =
  /\b((can|could|would|will) you|please|help me|i (need|want) you to)\b(\s+\w+){0,2}?\s+(write|compose|draft|rewrite|create|generate|design|plan|outline|implement|code|program|debug|prove|derive|solve|calculate|compute|analy[sz]e|evaluate|critique|compare|translate|summari[sz]e|list|describe|explain)\b/i;
const SENTENCE_END = /(?<=[.!?])["')\]]*\s+(?=["'“(]?[A-Z])/;

/**
 * A short, plain question: one to three sentences, every one of them a
 * question ("What is X? Who named it?"), no line breaks, no maths or code on
 * the page, at most two numbers, no word-problem shape and no task asked
 * for politely ("Can you write…?", "Could you explain…?"). A statement
 * followed by a question ("David has three sisters. … How many brothers?")
 * is a puzzle, not an everyday question, and does not qualify. The caller
 * also checks the detected task (no reasoning, planning, writing or code cue).
 */
export function isEverydayQuestion(text: string): boolean {
  const t = text.trim();
  if (!t || t.length > EVERYDAY_MAX_CHARS || /\n/.test(t)) return false;
  if (MATHS_OR_CODE.test(t) || REQUEST.test(t) || isWordProblem(t)) return false;
  if ((t.match(/\d+(?:[.,]\d+)?/g)?.length ?? 0) > 2) return false;
  const sentences = t.split(SENTENCE_END).filter((x) => x.trim());
  if (sentences.length > 3) return false;
  return sentences.every((x) => /\?["')\]]*$/.test(x.trim()));
}
