import type { Tier } from '../../core/catalog/catalog';
import type { RequestSummary } from './request-summary';

export const TASK_KINDS = ['classify', 'extract', 'tool_select', 'summarize', 'chat', 'code', 'synthesize', 'plan', 'reason'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Tasks the guard never lets below the mid tier, whatever the score. */
export const GUARDED_TASKS: readonly TaskKind[] = ['synthesize', 'plan', 'reason', 'code'];
/** Tasks read from a prompt's form (a label set, fields to pull out, tools to pick): small-model work wherever it comes from. */
export const PLAIN_TASKS: readonly TaskKind[] = ['classify', 'extract', 'tool_select'];

/**
 * What a caller's task hint does to the tier range the score may pick from.
 * Simple tasks are held to small (mid only when the score says the prompt is
 * frontier-hard); synthesis, planning and reasoning go to the frontier.
 */
export interface HintRule {
  lowest: Tier;
  highest: Tier;
  /** The tier to use regardless of score (within lowest..highest). */
  fixed?: Tier;
}

export const HINT_RULES: Record<TaskKind, HintRule> = {
  classify: { lowest: 'small', highest: 'mid' },
  extract: { lowest: 'small', highest: 'mid' },
  tool_select: { lowest: 'small', highest: 'mid' },
  summarize: { lowest: 'small', highest: 'mid' },
  chat: { lowest: 'small', highest: 'frontier' },
  code: { lowest: 'mid', highest: 'frontier' },
  synthesize: { lowest: 'frontier', highest: 'frontier', fixed: 'frontier' },
  plan: { lowest: 'frontier', highest: 'frontier', fixed: 'frontier' },
  reason: { lowest: 'frontier', highest: 'frontier', fixed: 'frontier' },
};

const SYNONYMS: Array<[TaskKind, RegExp]> = [
  ['chat', /rewrit|paraphras|translat|proofread|spell/],
  ['tool_select', /tool|function[ _-]?call|routing|intent[ _-]?detect/],
  ['classify', /classif|categor|label|sentiment|moderat|spam|detect/],
  ['extract', /extract|parse|ner\b|entit|field|scrape/],
  ['summarize', /summar|tl;?dr|digest|condense/],
  ['code', /code|coding|program|debug|refactor|sql|script/],
  ['plan', /plan|design|architect|strateg|roadmap|itinerar/],
  ['reason', /reason|math|proof|logic|puzzle|calculat|analy|multi[ _-]?step/],
  ['synthesize', /synthes|writ|creative|essay|story|poem|draft|compose|report|research|role-?play|persona/],
  ['chat', /chat|qa|question|convers|assist/],
];

/** A caller's `task` (one of TASK_KINDS or free text) as a TaskKind; undefined when it names nothing known. */
export function normalizeTask(hint: string | undefined): TaskKind | undefined {
  if (!hint) return undefined;
  const h = hint.trim().toLowerCase();
  if ((TASK_KINDS as readonly string[]).includes(h)) return h as TaskKind;
  for (const [kind, re] of SYNONYMS) if (re.test(h)) return kind;
  return undefined;
}

// Code syntax is matched case-sensitively ("From:" in an email header is not SQL).
const CODE_SYNTAX = /```|^\s*(def|class|import|from \S+ import|#include|public|private|function|const|let|var|SELECT|INSERT|UPDATE)\b[^\n]*[({;=:]|\b(def|function)\s+\w+\s*\(|=>\s*[{(]|\)\s*\{\s*$/m;
const CODE_TASK =
  /\b(write|implement|build|develop|fix|debug|refactor|optimi[sz]e|create|convert)\b[^.?!\n]{0,60}\b(function|program|script|class|method|query|algorithm|component|endpoint|regex|unit tests?|code|dockerfile|manifest|workflow|server|interpreter|cache|queue|parser)\b|^\W*(implement|debug|refactor)\b|\b(write|implement|build|create|develop|code)\b[^.?!\n]{0,60}\b(in|using) (python|typescript|javascript|java|c\+\+|c#|rust|go|golang|kotlin|swift|ruby|php|sql|bash|node\.js|react)\b/i;
const PLAN =
  /^\W*(plan|design|propose|outline)\b|^\W*(create|draft|make|build|develop|write|prepare|put together)\b[^.?!\n]{0,50}\b(plan|schedule|roadmap|curriculum|budget|strategy|itinerary|checklist|timeline|calendar|programme)\b|\b(go-to-market (plan|strategy)|migration plan|step-by-step plan|\d+[- ](day|week|month)s? (plan|itinerary|programme|program))\b/i;
const SYNTH =
  /^\W*(write|compose|draft|craft|create|generate|rewrite .{0,30}as|develop)\b[^.?!\n]{0,60}\b(story|poem|sonnet|haiku|limerick|essay|blog|letter|email|speech|toast|article|op-ed|script|screenplay|lyrics|song|post|announcement|press release|monologue|dialogue|fable|tribute|proposal|page|chapter|scene|pitch|narrative|eulogy)\b|^\W*(compare|contrast|analy[sz]e|evaluate|assess|critically|discuss|synthesi[sz]e|critique|argue|review this argument)\b|\b(act as|pretend (you are|to be|yourself)|play the role|(take on|embrace|assume) the (role|persona)|embody|persona of|stay in character|you are an? [a-z -]{3,40}\.|role-play|roleplay)\b|\b(evaluate|assess|weigh|synthesi[sz]e|discuss|critique)\b[^.?!\n]{0,80}\b(competing|trade-?offs|implications|pros and cons|strengths and weaknesses|evidence|arguments?)\b/i;
const REASON_WORDS = /\b(prove|show that|derive|solve|calculate|compute|what is the probability|expected (number|value)|step by step|explain why|integrate|differentiate|derivative|remainder when)\b/i;
// Its words, or an equation or a power on the page.
const REASON = new RegExp(`${REASON_WORDS.source}|[\\w)]\\s*[+\\-*/^]\\s*[\\w(]+[^=\\n]{0,20}=|=\\s*[\\w(]+\\s*[+\\-*/^]\\s*\\w|\\b[a-z]\\s*\\^\\s*\\d`, 'i');

/**
 * REASON.test(text). Every alternative but the words needs an "=" or a "^", so a text with neither is
 * tested for the words alone: the same answer, and the equation alternatives, which try a match at every
 * word character, cost ~35 µs on a 3,000-character prompt.
 */
function hasReasonCue(text: string): boolean {
  return text.includes('=') || text.includes('^') ? REASON.test(text) : REASON_WORDS.test(text);
}
const SUMMARIZE = /\b(summari[sz]e|summary of|tl;?dr|sum up|condense)\b/i;
// An instruction that opens with "summarise" is a summary, whatever numbers or sums the text it is given contains.
const LEAD_SUMMARIZE = /^\W*(summari[sz]e|sum up|condense|tl;?dr|(write|give( me)?|provide|produce) an? (short |brief |concise |one-paragraph )?summary( of)?)\b/i;
// An instruction that opens with a classification or extraction verb is that task, whatever data follows it.
const LEAD_EXTRACT = /^\W*(extract|pull out|parse|list (all|the|every)|find (all|the|every)|identify (all|the)|return (all|the|every)|get (all|the))\b/i;
const LEAD_CLASSIFY = /^\W*(classify|categori[sz]e|label|tag|decide whether|is (this|the following|it)|which (category|department|label|genre|sport|language))\b/i;
const EXTRACT = /\bextract\b/i;
const CLASSIFY = /\b(sentiment|spam or not|yes or no|true or false)\b/i;

/** Several numbers, a question and enough words to be a multi-step word problem or puzzle. */
export function isWordProblem(text: string): boolean {
  if (text.length > 3000 || !/\?/.test(text)) return false;
  // List markers ("1. ", "2) ") are layout, not quantities.
  const numbers = text.replace(/^\s*\d+[.)]\s/gm, '').match(/\d+(?:[.,]\d+)?/g)?.length ?? 0;
  const words = text.match(/[A-Za-z]+/g)?.length ?? 0;
  return (
    (numbers >= 2 && words >= 18) ||
    (numbers >= 4 && words >= 15) ||
    /\b(who is (telling|lying|the)|what can(not|'t)? we (infer|conclude)|can we conclude|which comes next|comes next in the sequence|does not belong|odd one out)\b/i.test(text)
  );
}

export interface DetectOptions {
  /**
   * Whether several numbers and a question count as a word problem ("reason"). Default true. Off for
   * agent conversations, where numbers are flight numbers, dates and prices, not a puzzle to solve.
   */
  numericPuzzles?: boolean;
}

/**
 * A cheap rule-based guess of what a user turn asks for (default: the last
 * one). Used to raise floors (the quality guard), to recognise a leading
 * "summarise" instruction and to explain decisions.
 */
export function detectTask(s: RequestSummary, options: DetectOptions = {}, text: string = s.lastUser): TaskKind | undefined {
  const head = text.slice(0, 600);
  if (LEAD_CLASSIFY.test(head)) return 'classify';
  if (LEAD_EXTRACT.test(head)) return 'extract';
  if (CODE_SYNTAX.test(text) || CODE_TASK.test(head)) return 'code';
  if (PLAN.test(head)) return 'plan';
  if (SYNTH.test(head)) return 'synthesize';
  if (LEAD_SUMMARIZE.test(head)) return 'summarize';
  if (hasReasonCue(text) || (options.numericPuzzles !== false && isWordProblem(text))) return 'reason';
  if (SUMMARIZE.test(head)) return 'summarize';
  if (EXTRACT.test(head)) return 'extract';
  if (CLASSIFY.test(head)) return 'classify';
  if (s.tools > 0) return 'tool_select';
  return undefined;
}
