import { tokenize, isWordToken, tokenizeCased } from '../text/tokenize';

/**
 * What the false-hit guards look at in one text, computed once per text. The
 * word lists are closed English classes (function words, negations, question
 * words, pronouns), not tuned to any data set.
 */
export interface AnalysedText {
  tokens: string[];
  /** Content words in order (function words, numbers and negations removed; acronyms kept). */
  content: string[];
  /** Numbers, normalised ("1,000" → "1000", "two" → "2"). */
  numbers: string[];
  /** Each negation with the content word that follows it (scope marker). */
  negations: string[];
  /** Question words present: why, where, when, who, qty (how many/much/…), how, what, if, yesno. */
  questionTypes: Set<string>;
  /** Grammatical persons of the pronouns used (1, 2, 3, 3p). */
  persons: Set<string>;
  /** Symbols that change meaning in technical text (#, +, ^, <, >, $, %, …) and quoted literals, sorted. */
  symbols: string[];
  /** Refers to something outside the text ("this", "the following", "attached"), so the answer depends on context. */
  deictic: boolean;
}

export const FUNCTION_WORDS = new Set(
  `a an the is are was were be been being am do does did doing done have has had having to of in on for with at by from into onto
  about as and or but if then than so that this these those there here it its 's i me my mine myself we us our ours ourselves you your
  yours yourself yourselves he him his himself she her hers herself they them their theirs themselves one what which who whom whose how
  why when where can could should would will shall may might must any some such very just also too really actually exactly please ever
  explain tell describe define
  anyone someone somebody something anything thing things else own same way ways possible best good better top most much many more`.split(/\s+/),
);

export const NEGATIONS = new Set(['not', 'no', 'never', 'without', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'cannot']);

const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  twenty: '20',
  thirty: '30',
  fifty: '50',
  hundred: '100',
  thousand: '1000',
  million: '1000000',
  billion: '1000000000',
  first: '1st',
  third: '3rd',
  fourth: '4th',
  fifth: '5th',
  half: '0.5',
  dozen: '12',
};

const PERSON: Record<string, string> = {
  i: '1',
  me: '1',
  my: '1',
  mine: '1',
  myself: '1',
  we: '1',
  us: '1',
  our: '1',
  ours: '1',
  ourselves: '1',
  you: '2',
  your: '2',
  yours: '2',
  yourself: '2',
  yourselves: '2',
  he: '3',
  him: '3',
  his: '3',
  himself: '3',
  she: '3',
  her: '3',
  hers: '3',
  herself: '3',
  they: '3p',
  them: '3p',
  their: '3p',
  theirs: '3p',
  themselves: '3p',
};

const SYMBOLS = new Set(['#', '+', '^', '<', '>', '$', '%', '@', '&', '*', '=', '~', '|', '\\', '€', '£', '¥', '°']);
const DEICTIC = new Set(['following', 'attached', 'pictured', 'above', 'below', 'these']);
const TIME_WORDS = new Set([
  'year',
  'month',
  'week',
  'day',
  'time',
  'summer',
  'winter',
  'spring',
  'fall',
  'autumn',
  'season',
  'weekend',
  'morning',
  'evening',
  'night',
  'century',
  'decade',
  'semester',
  'quarter',
  'election',
  'world',
  'life',
  'country',
]);
const REQUEST_VERBS = new Set(['explain', 'tell', 'describe', 'define', 'give', 'show', 'help', 'list', 'summarize', 'summarise']);
const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'should', 'would', 'will', 'shall', 'may', 'might', 'must', 'has', 'have', 'had', 'am']);
const QUANTITY_AFTER_HOW = new Set(['many', 'much', 'long', 'old', 'far', 'often', 'big', 'large', 'tall', 'fast']);

export function analyseText(text: string): AnalysedText {
  const all = tokenize(text);
  const tokens = all.filter(isWordToken);
  // Quoted spans are literals the question is about ("what does "foo" mean"): they must match as written.
  const quoted = [...text.matchAll(/["“”]+([^"“”]{1,80})["“”]+/g)].map((m) => `"${m[1].trim().toLowerCase()}"`);
  const symbols = [...all.filter((t) => SYMBOLS.has(t)), ...quoted].sort();
  // "this" pointing at something shown ("this cat", "is this scabies?") — but "this year" is answerable.
  const deictic = tokens.some((t, i) => DEICTIC.has(t) || (t === 'this' && !TIME_WORDS.has(tokens[i + 1] ?? '')));
  const acronyms = new Set(
    tokenizeCased(text)
      .filter((t) => t.length >= 2 && t.length <= 5 && /^\p{Lu}+$/u.test(t))
      .map((t) => t.toLowerCase()),
  );
  const content: string[] = [];
  const numbers: string[] = [];
  const negations: string[] = [];
  const questionTypes = new Set<string>();
  const persons = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (/^\p{N}/u.test(t)) numbers.push(t.replace(/,/g, '').replace(/(st|nd|rd|th|s)$/, (m) => (m === 's' ? '' : m)));
    else if (NUMBER_WORDS[t]) numbers.push(NUMBER_WORDS[t]);
    else if (NEGATIONS.has(t)) negations.push(`${t}:${nextContent(tokens, i)}`);
    else if (acronyms.has(t) || !FUNCTION_WORDS.has(t)) content.push(t);
    if (PERSON[t] && !acronyms.has(t)) persons.add(PERSON[t]);
    if (t === 'why' || t === 'where' || t === 'when' || t === 'who' || t === 'whom') questionTypes.add(t === 'whom' ? 'who' : t);
    else if (t === 'how') questionTypes.add(QUANTITY_AFTER_HOW.has(tokens[i + 1]) ? 'qty' : 'how');
    else if (t === 'if' && tokens[i - 1] === 'what') questionTypes.add('whatif');
  }
  // "Can you explain …" is a request, not a yes/no question.
  const request = (tokens[1] === 'you' && REQUEST_VERBS.has(tokens[2])) || (tokens[1] === 'you' && tokens[2] === 'please');
  if (tokens.length > 0 && AUXILIARIES.has(tokens[0]) && !request) questionTypes.add('yesno');
  // "What does X do?" asks for a function, "What is X?" for a definition.
  if (tokens[0] === 'what' && tokens.length > 2 && (tokens[tokens.length - 1] === 'do' || tokens[tokens.length - 1] === 'does')) questionTypes.add('function');
  return { tokens, content, numbers: numbers.sort(), negations: negations.sort(), questionTypes, persons, symbols, deictic };
}

function nextContent(tokens: string[], i: number): string {
  for (let j = i + 1; j < tokens.length && j <= i + 3; j++) if (!FUNCTION_WORDS.has(tokens[j])) return tokens[j];
  return '';
}
