import { auditPrompt, instructionUnits } from '../../shared/levers/compression/prompt-audit';
import { compareAnswers } from '../../shared/levers/compression/agreement';

const PROMPT = [
  '# Role', //1
  'You are a support agent for Acme Air.', //2
  'Always verify the user id before any change.', //3
  '', //4
  '## Policy', //5
  '- Never issue a refund above the ticket price.', //6
  '- Always verify the user id before any change. Be polite at all times.', //7
  '1. never issue a refund above the **ticket price**.', //8
  'Keep answers short and friendly for every user.', //9
  'Keep answers short and friendly for each user.', //10
  '', //11
  '', //12
  '', //13
  '## Examples', //14
  'Example 1: ' + 'the user asks to change a flight and the agent checks the reservation first. '.repeat(30), //15
  '', //16
  '```', //17
  'Always verify the user id before any change.', //18
  '```', //19
  '    Be polite at all times.', //20
].join('\n');

describe('auditPrompt', () => {
  const audit = auditPrompt(PROMPT);

  it('finds every exact duplicate instruction with its line numbers (list markers, emphasis, case ignored)', () => {
    const byText = Object.fromEntries(audit.exact_duplicates.map((d) => [d.text.toLowerCase(), d.lines]));
    expect(byText['always verify the user id before any change.']).toEqual([3, 7]);
    expect(byText['never issue a refund above the ticket price.']).toEqual([6, 8]);
    expect(byText['be polite at all times.']).toEqual([7, 20]);
    expect(audit.exact_duplicates).toHaveLength(3);
  });

  it('does not count code-block lines as instructions', () => {
    expect(instructionUnits(PROMPT).some((u) => u.line === 18)).toBe(false);
  });

  it('reports near duplicates, sections, long examples and formatting overhead', () => {
    expect(audit.near_duplicates.map((d) => d.lines)).toContainEqual([9, 10]);
    expect(audit.sections.map((s) => s.title)).toEqual(['Role', 'Policy', 'Examples']);
    expect(audit.sections.reduce((a, s) => a + s.tokens, 0)).toBeGreaterThan(audit.total_tokens * 0.9);
    expect(audit.long_examples).toHaveLength(1);
    expect(audit.long_examples[0].start_line).toBe(15);
    expect(audit.formatting_overhead.extra_blank_lines).toBe(2);
    expect(audit.formatting_overhead.markdown_emphasis_tokens).toBe(2);
  });

  it('proposes a shorter prompt without the duplicates and with code untouched', () => {
    const text = audit.proposed.text;
    expect(audit.proposed.saved_tokens).toBeGreaterThan(0);
    expect(audit.proposed.removed_duplicate_instructions).toBe(3);
    expect(text).toContain('```\nAlways verify the user id before any change.\n```');
    expect(text.match(/Always verify the user id/g)).toHaveLength(2); // once as instruction, once in code
  });
});

describe('compareAnswers', () => {
  it('agrees on exact, JSON-equal and near-identical answers only', () => {
    expect(compareAnswers('yes', 'yes').agree).toBe(true);
    expect(compareAnswers('{"a":1,"b":[2]}', '{ "b": [2], "a": 1 }')).toMatchObject({ exact: false, jsonEqual: true, agree: true });
    expect(compareAnswers('{"a":1}', '{"a":2}').agree).toBe(false);
    expect(compareAnswers('The flight leaves at 9 from gate B12 today.', 'Your cat is orange.').agree).toBe(false);
  });
});
