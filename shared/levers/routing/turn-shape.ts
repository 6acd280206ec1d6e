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

export interface AgentStep {
  /** For the decision's reason, e.g. "agent step (3 tools offered, 2 tool calls so far; latest message a tool result)". */
  what: string;
  /**
   * true once the loop is under way (tool calls or results, or earlier turns, in the conversation): long,
   * policy-bound contexts the score was never trained on. false for a first, one-shot tool choice
   * ("Set a timer for 12 minutes" with tools offered), which the score has seen (the team's tool_select examples).
   */
  inLoop: boolean;
}

/** The request as an agent step, or undefined when it is not one. */
export function agentStep(s: RequestSummary): AgentStep | undefined {
  const offered = s.tools > 0;
  const inUse = s.toolCalls > 0 || s.toolMessages > 0;
  if (!offered && !inUse) return undefined;
  // An assistant prefill (latest message by the assistant) continues a text; it is not a tool-selection step.
  if (s.lastRole !== 'user' && s.lastRole !== 'tool') return undefined;
  const parts = [offered ? `${s.tools} tool${s.tools === 1 ? '' : 's'} offered` : '', inUse ? `${s.toolCalls} tool call${s.toolCalls === 1 ? '' : 's'} so far` : ''];
  return {
    what: `agent step (${parts.filter(Boolean).join(', ')}; latest message a ${s.lastRole === 'tool' ? 'tool result' : 'user turn'})`,
    inLoop: inUse || s.userTurns > 1 || s.assistantTurns > 0,
  };
}

/**
 * Chit-chat: a greeting, thanks, a farewell, a pleasantry or an acknowledgement and nothing else ("Hello!",
 * "Hi there, how are you?", "Thanks so much 🙏", "Bonjour", "ok"). Nothing in the score's reference traffic
 * looks like it, so the out-of-distribution check used to send a bare "Hello!" to the frontier; what it asks
 * for is read from its form, like an everyday question's.
 */
const PLEASANTRY = new RegExp(
  "^(hi|hello|hey|heya|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day|night)|morning|evening|what'?s up|sup|how are (you|u)( doing| today)?|how'?s it going|how do you do|nice to meet you|pleased to meet you|thanks?( you)?( (so|very) much| a lot| again)?|thx|ty|cheers|much appreciated|many thanks|bye|goodbye|bye-bye|see (you|ya)( later| soon)?|take care|have a (nice|good|great) (day|evening|weekend)|ok|okay|cool|great|nice|awesome|perfect|got it|sounds good|no worries|bonjour|salut|merci|hola|gracias|buenos d[ií]as|hallo|guten (morgen|tag|abend)|danke|ciao|grazie|ol[aá]|obrigad[oa]|namaste)(?![\\p{L}\\p{N}])",
  'iu',
);
// Who is greeted: a few fixed words (any case) or one capitalised name ("Hello Claude!"), never a lower-case verb ("hi can…").
const ADDRESSEE = /^ ((there|all|everyone|everybody|folks|team|friend|buddy|mate|bot|assistant)(?![\p{L}\p{N}])|[A-Z][a-z]+(?![\p{L}\p{N}]))/u;
const SEPARATORS = /^[\s\p{P}\p{S}]*/u;
const CHIT_CHAT_MAX_CHARS = 80;

/** Whether a user turn is chit-chat only: one to three pleasantries, each optionally addressed to someone, and punctuation or emoji. */
export function isChitChat(text: string): boolean {
  let rest = text.trim();
  if (!rest || rest.length > CHIT_CHAT_MAX_CHARS || /\n/.test(rest)) return false;
  for (let parts = 0; parts < 3 && rest; parts++) {
    const greeting = PLEASANTRY.exec(rest);
    if (!greeting) return false;
    rest = rest.slice(greeting[0].length);
    rest = rest.slice(ADDRESSEE.exec(rest)?.[0].length ?? 0);
    rest = rest.slice(SEPARATORS.exec(rest)![0].length);
  }
  return rest === '';
}

/** An everyday user turn: a short plain question, or chit-chat. */
export function isEverydayTurn(text: string): boolean {
  return isEverydayQuestion(text) || isChitChat(text);
}

/** Longest text that still counts as an everyday question (Quora-style questions: median 52, p99 150 characters). */
export const EVERYDAY_MAX_CHARS = 300;

// Maths or code on the page: operators between terms, LaTeX/[math] markup, code fences or inline code.
const MATHS_OR_CODE = /[=<>^√∑∫]|\\\(|\\\[|\$[^$\s]|\[math\]|`|\b\d+\s*[+*/x×÷-]\s*\d+\b/i;
// A task phrased as a polite question ("Can you write a poem…?", "Please explain step by step…?") is that task, not a question.
const REQUEST =
  /\b((can|could|would|will) you|please|help me|i (need|want) you to)\b(\s+\w+){0,2}?\s+(write|compose|draft|rewrite|create|generate|design|plan|outline|implement|code|program|debug|prove|derive|solve|calculate|compute|analy[sz]e|evaluate|critique|compare|translate|summari[sz]e|list|describe|explain)\b/i;
// Analysis asked as a question: several parts ("How does X work, and what are its limits?"), a list of aspects
// ("diets, cities and global trade"), or the vocabulary of weighing things up. These are the team's "analyze"
// examples (frontier), not everyday questions.
const ANALYSIS =
  /,\s*(and|or|but)\s+(what|why|how|which|who|when|where|is|are|do|does|did|can|should|would)\b|\b\w+,\s+(\w+\s+){0,2}\w+,?\s+(and|or)\s+\w+|\b(in what ways?|what role|trade-?offs?|pros and cons|for and against|advantages and disadvantages|implications?|ethic(s|al|ally)|limits? (of|on|to)|impact (of|on)|consequences|compare[ds]?|comparison|contrast|versus|reshaped?|(more|less) \w+ than|(faster|slower|better|worse|richer|poorer) than those)\b/i;
// Counting and chance are maths even without digits ("How many ways can eight people sit…?").
const COUNTING = /\bhow many (ways|combinations|permutations|arrangements|outcomes)\b|\b(probability|odds|expected value|on average)\b/i;
const SENTENCE_END = /(?<=[.!?])["')\]]*\s+(?=["'“(]?[A-Z])/;

/**
 * A short, plain question: one to three sentences, every one of them a
 * question ("What is X? Who named it?"), no line breaks, no maths or code on
 * the page, at most two numbers, no word-problem shape or counting, no
 * task asked for politely ("Can you write…?", "Could you explain…?") and no
 * analysis (several parts, a list of aspects, trade-offs, implications,
 * comparisons). A statement
 * followed by a question ("David has three sisters. … How many brothers?")
 * is a puzzle, not an everyday question, and does not qualify. The caller
 * also checks the detected task (no reasoning, planning, writing or code cue).
 */
export function isEverydayQuestion(text: string): boolean {
  const t = text.trim();
  if (!t || t.length > EVERYDAY_MAX_CHARS || /\n/.test(t)) return false;
  if (MATHS_OR_CODE.test(t) || COUNTING.test(t) || REQUEST.test(t) || ANALYSIS.test(t) || isWordProblem(t)) return false;
  if ((t.match(/\d+(?:[.,]\d+)?/g)?.length ?? 0) > 2) return false;
  const sentences = t.split(SENTENCE_END).filter((x) => x.trim());
  if (sentences.length > 3) return false;
  return sentences.every((x) => /\?["')\]]*$/.test(x.trim()));
}
