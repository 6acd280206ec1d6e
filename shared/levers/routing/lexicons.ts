/**
 * Cue-word families shared by the feature extractor and the task detector.
 * They are domain-general on purpose (what kind of work a prompt asks for,
 * not what it is about), so the learned weights on them carry over to
 * subjects the training data never saw.
 */
export const CUE_FAMILIES = {
  negation: ['not', 'except', 'least', 'never', 'false', 'incorrect', 'untrue', 'cannot', 'neither', 'nor', 'no'],
  reasoning: ['why', 'explain', 'prove', 'proof', 'derive', 'justify', 'reason', 'reasoning', 'analyze', 'analyse', 'evaluate', 'compare', 'contrast', 'implications', 'critique', 'argue', 'assess', 'infer', 'deduce', 'tradeoffs', 'trade'],
  calc: ['calculate', 'compute', 'solve', 'probability', 'percent', 'percentage', 'rate', 'total', 'sum', 'average', 'ratio', 'equation', 'integral', 'derivative', 'remainder', 'value', 'area', 'volume', 'speed', 'cost', 'profit', 'interest'],
  creative: ['write', 'compose', 'draft', 'story', 'poem', 'essay', 'blog', 'letter', 'email', 'script', 'slogan', 'lyrics', 'song', 'novel', 'narrative', 'dialogue', 'speech', 'pitch', 'persuasive', 'creative', 'imagine', 'fictional', 'limerick', 'haiku'],
  planning: ['plan', 'design', 'strategy', 'roadmap', 'outline', 'schedule', 'propose', 'proposal', 'architecture', 'itinerary', 'curriculum', 'budget', 'milestones', 'steps', 'framework', 'migrate', 'migration', 'architect'],
  code: ['function', 'implement', 'program', 'code', 'bug', 'algorithm', 'python', 'javascript', 'typescript', 'java', 'sql', 'regex', 'api', 'class', 'refactor', 'debug', 'compile', 'recursion', 'complexity', 'html', 'css', 'rust', 'golang', 'c++', 'script', 'query', 'endpoint', 'unit', 'test'],
  classify: ['classify', 'categorize', 'categorise', 'label', 'sentiment', 'spam', 'category', 'categories', 'tag', 'intent', 'positive', 'negative', 'neutral', 'toxic', 'language', 'topic', 'urgency', 'priority'],
  extract: ['extract', 'list', 'parse', 'pull', 'find', 'identify', 'return', 'json', 'fields', 'field', 'entities', 'names', 'dates', 'emails', 'addresses', 'phone', 'amount', 'invoice', 'mentioned'],
  tool: ['tool', 'tools', 'call', 'invoke', 'lookup', 'weather', 'search', 'book', 'cancel', 'order', 'status', 'check'],
  answerOnly: ['only', 'just', 'single', 'one', 'yes', 'no', 'word', 'label', 'answer'],
  multiStep: ['then', 'first', 'second', 'finally', 'next', 'after', 'afterwards', 'additionally', 'also', 'furthermore', 'step'],
} as const;

export type CueFamily = keyof typeof CUE_FAMILIES;

/** Word → families it belongs to, built once. */
export const CUE_INDEX: ReadonlyMap<string, readonly CueFamily[]> = (() => {
  const index = new Map<string, CueFamily[]>();
  for (const [family, words] of Object.entries(CUE_FAMILIES) as [CueFamily, readonly string[]][]) {
    for (const w of words) {
      const list = index.get(w) ?? [];
      list.push(family);
      index.set(w, list);
    }
  }
  return index;
})();

export const CUE_FAMILY_NAMES = Object.keys(CUE_FAMILIES) as CueFamily[];
