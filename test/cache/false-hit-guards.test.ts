import { firstFailingGuard } from '../../shared/levers/cache/guards/false-hit-guards';
import { analyseText } from '../../shared/levers/cache/guards/text-analysis';
import { wordsMatch } from '../../shared/levers/cache/guards/word-match';
import { testEmbedder } from './cache-test-helpers';

const rankOf = (w: string) => testEmbedder().rankOf(w);
const verdict = (a: string, b: string) => firstFailingGuard(analyseText(a), analyseText(b), { rankOf });

describe('false-hit guards', () => {
  test.each([
    ['How do I reset my password?', 'How can I reset my password?'],
    ['What are the symptoms of diabetes?', 'What are some symptoms of diabetes?'],
    ['What is the Baluchistan conflict?', 'What exactly is the Baloochistan conflict?'],
    ['Do long distance relationships work?', 'Does long distance relationship works?'],
    ["Why don't cats like water?", 'Why do not cats like water?'],
    ['How long does it take to boil an egg?', 'How long does it take to boil eggs?'],
  ])('paraphrases pass: %s / %s', (a, b) => {
    expect(verdict(a, b)).toBeNull();
  });

  test.each([
    ['What does France need to do to beat Ecuador?', 'What does Ecuador need to do to beat France?', 'order'],
    ['How do you convert current source to voltage source?', 'How do you convert voltage source to current source?', 'order'],
    ['Is it possible to not have mental illness and be insane?', 'Is it possible to have mental illness and not be insane?', 'negation'],
    ['Why do people worry about global warming?', "Why don't people worry about global warming?", 'negation'],
    ['How can I lose 10 kg in a month?', 'How can I lose 15 kg in a month?', 'numbers'],
    ['What happened in 2016?', 'What happened in 2017?', 'numbers'],
    ['How do I lose 30 pounds?', 'How do I lose 30 kilos?', 'content'],
    ['What is the weather like in Mount Airy in the summer?', 'What is the weather like in Mount Airy in the winter?', 'content'],
    ['What hotel in Munnar is safe for couples?', 'What hotel in Khandala is safe for couples?', 'content'],
    ['What is the purpose of life to a theist?', 'What is the purpose of life to an atheist?', 'content'],
    ['What are the advantages of nuclear power?', 'What are the disadvantages of nuclear power?', 'content'],
    ['Was ist der beste Weg, Deutsch zu lernen?', 'Was ist der beste Weg, Spanisch zu lernen?', 'content'],
    ['What is the best laptop for a student?', 'What is the best laptop for an IT student?', 'content'],
    ['Why did Dribbble release a write API?', 'When will Dribbble release a write API?', 'question_type'],
    ['Does Hipmunk make money?', 'How does Hipmunk make money?', 'question_type'],
    ['Will speed help me lose weight?', 'Does speed help you lose weight?', 'persons'],
    ['Why does my boss hate me?', 'Why does my boss hate you?', 'persons'],
    ['How do I use C# generics?', 'How do I use C generics?', 'symbols'],
    ['What does "ls -la" mean?', 'What does "ls -l" mean?', 'symbols'],
    ['What kind of spider is this?', 'What kind of spider is that one?', 'context'],
  ])('traps are rejected: %s / %s → %s', (a, b, guard) => {
    expect(verdict(a, b)).toBe(guard);
  });

  test('spelling variants match only when a word is rare and no negating prefix differs', () => {
    expect(wordsMatch('baluchistan', 'baloochistan', rankOf)).toBe(true);
    expect(wordsMatch('east', 'west', rankOf)).toBe(false);
    expect(wordsMatch('like', 'dislike', rankOf)).toBe(false);
    expect(wordsMatch('released', 'release', rankOf)).toBe(true);
  });

  test('a negation whose position moves is rejected conservatively (a miss, never a false hit)', () => {
    expect(verdict("Why don't cats like water?", 'Why do cats not like water?')).toBe('negation');
  });

  test('a guard can be switched off by name', () => {
    const a = analyseText('How can I lose 10 kg?');
    const b = analyseText('How can I lose 15 kg?');
    expect(firstFailingGuard(a, b, { rankOf })).toBe('numbers');
    expect(firstFailingGuard(a, b, { rankOf, disabled: new Set(['numbers']) })).toBeNull();
  });
});
