import { Catalog } from '../../shared/core/catalog/catalog';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';
import { ComplexityRouter } from '../../shared/levers/routing/router';
import { summarizeRequest } from '../../shared/levers/routing/request-summary';
import { agentStep, isEverydayQuestion } from '../../shared/levers/routing/turn-shape';
import { ask } from './helpers';

const router = ComplexityRouter.load(Catalog.load());

// A long agent policy full of words the classifier reads as hard work: what an airline agent sends.
const POLICY = `# Airline Agent Policy\nAs an airline agent, you can help users book, modify, or cancel flight reservations.\n${'- Before taking any action that updates the booking database, list the action details and obtain explicit user confirmation (yes) to proceed. Check the cabin class, baggage allowance, payment methods and the cancellation rules before you book, modify or cancel.\n'.repeat(20)}`;
const TOOLS = [
  {
    name: 'get_reservation_details',
    description: 'Get the details of a reservation.',
    parameters: { type: 'object', properties: { reservation_id: { type: 'string' } }, required: ['reservation_id'] },
  },
  { name: 'cancel_reservation', description: 'Cancel a reservation.', parameters: { type: 'object', properties: { reservation_id: { type: 'string' } }, required: ['reservation_id'] } },
];
const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const callTool = (id: string): ChatMessage => ({ role: 'assistant', content: [], tool_calls: [{ id, name: 'get_reservation_details', arguments: '{"reservation_id":"UM3OG5"}' }] });
const toolResult = (id: string): ChatMessage => ({
  role: 'tool',
  tool_call_id: id,
  content: '{"reservation_id":"UM3OG5","origin":"SEA","destination":"DFW","cabin":"economy","flights":[{"flight_number":"HAT113","date":"2024-05-26","price":117}]}',
});

function agentRequest(messages: ChatMessage[], withTools = true): ChatRequest {
  return { model: 'auto', system: [{ type: 'text', text: POLICY }], messages, sampling: {}, ...(withTools ? { tools: TOOLS } : {}) };
}

const afterToolResult = [user('I want to cancel reservation UM3OG5, please.'), callTool('c1'), toolResult('c1')];

describe('agent steps', () => {
  it('sends a tool-selection step (tools offered, latest message a tool result) to mid, not the frontier its score would pick', () => {
    const request = agentRequest(afterToolResult);
    const d = router.decide({ request, requestedModel: 'auto' });
    expect(d.tier).toBe('mid');
    expect(d.task).toBe('tool_select');
    expect(d.reason).toMatch(/→ frontier;/); // what the score alone said
    expect(d.reason).toMatch(/agent step \(2 tools offered, 1 tool call so far; latest message a tool result\): tool selection in an agent loop → mid \(score not used\)/);
    expect(router.decide({ request, requestedModel: 'auto' })).toEqual(d);
  });

  it('treats a user turn of an agent conversation the same way, with or without the tool list', () => {
    const messages = [...afterToolResult, { role: 'assistant', content: [{ type: 'text', text: 'Your reservation is refundable. Shall I cancel it?' }] } as ChatMessage, user('Yes, please go ahead.')];
    for (const withTools of [true, false]) {
      const d = router.decide({ request: agentRequest(messages, withTools), requestedModel: 'auto' });
      expect(d.tier).toBe('mid');
      expect(d.reason).toMatch(/latest message a user turn\): tool selection in an agent loop → mid/);
    }
  });

  it('leaves a first, one-shot tool choice to the score, never above mid', () => {
    // "Set a timer" with tools offered: what the team's tool_select examples teach the score is small work.
    const timer = router.decide({ request: { ...ask('Set a timer for 12 minutes.'), tools: TOOLS }, requestedModel: 'auto' });
    expect(timer.tier).toBe('small');
    expect(timer.reason).toMatch(/agent step \(2 tools offered; latest message a user turn\): first tool choice, score's tier capped at mid → small/);
    // Under the long policy prompt the score says frontier: capped at mid.
    const first = router.decide({ request: agentRequest([user('I want to modify a flight booking I made for a trip from New York to Chicago.')]), requestedModel: 'auto' });
    expect(first.reason).toMatch(/→ frontier; agent step .*first tool choice, score's tier capped at mid → mid/);
    expect(first.tier).toBe('mid');
  });

  it('does not read flight numbers, dates and prices as a word problem', () => {
    const text = 'I would like to change my flight from IAH to SEA from May 23 to May 24 and upgrade both passengers to business class, up to $1000. Can you confirm the total cost?';
    expect(router.decide({ request: agentRequest([user(text)]), requestedModel: 'auto' }).tier).toBe('mid');
    // The same text on its own (no agent) is still a word problem.
    expect(router.decide({ request: ask(text), requestedModel: 'auto' }).reason).toMatch(/detected task reason|open-ended reason task/);
  });

  it('keeps planning, writing and explicit reasoning asked in the turn itself at the frontier', () => {
    const d = router.decide({ request: agentRequest([user('Plan a five-day itinerary for my trip to Seattle, with flights, hotels and a daily schedule.')]), requestedModel: 'auto' });
    expect(d.tier).toBe('frontier');
    expect(d.reason).toMatch(/agent step \(2 tools offered; latest message a user turn\), but the latest user turn asks for plan: not a tool-selection step/);
    expect(
      router.decide({ request: agentRequest([user('Plan a five-day itinerary for my trip to Seattle, with flights, hotels and a daily schedule.')]), requestedModel: 'auto', frontierShare: 0 }).reason,
    ).toMatch(/raised to frontier: open-ended plan task in an agent step/);
  });

  it('follows the policy, hints and bounds', () => {
    const request = agentRequest(afterToolResult);
    expect(router.decide({ request, requestedModel: 'auto', policy: { agentStepTier: 'small' } }).reason).toMatch(/tool selection → small \(tenant agentStepTier\)/);
    expect(router.decide({ request, requestedModel: 'auto', policy: { agentStepTier: 'small' } }).tier).toBe('small');
    expect(router.decide({ request, requestedModel: 'auto', policy: { agentStepTier: 'frontier' } }).tier).toBe('frontier');
    expect(router.decide({ request, requestedModel: 'auto', minTier: 'frontier' }).tier).toBe('frontier');
    expect(router.decide({ request, requestedModel: 'auto', floorTier: 'frontier' }).reason).toMatch(/session floor/);
    // A hint is the caller's word: a "reason" hint keeps the frontier, and no agent rule is applied.
    const hinted = router.decide({ request, requestedModel: 'auto', task: 'reason' });
    expect(hinted.tier).toBe('frontier');
    expect(hinted.reason).not.toMatch(/agent step/);
  });

  it('recognises agent steps from the conversation, not from a plain chat or an assistant prefill', () => {
    expect(agentStep(summarizeRequest(ask('What is the capital of France?')))).toBeUndefined();
    expect(agentStep(summarizeRequest(agentRequest([user('Hello')], false)))).toBeUndefined();
    expect(agentStep(summarizeRequest(agentRequest([...afterToolResult, { role: 'assistant', content: [{ type: 'text', text: 'The reservation' }] }])))).toBeUndefined();
    expect(agentStep(summarizeRequest(agentRequest(afterToolResult, false)))).toEqual({ what: 'agent step (1 tool call so far; latest message a tool result)', inLoop: true });
    expect(agentStep(summarizeRequest(agentRequest([user('Hello')])))).toEqual({ what: 'agent step (2 tools offered; latest message a user turn)', inLoop: false });
  });
});

describe('everyday questions', () => {
  it('caps a short plain question the score would send to the frontier at mid', () => {
    for (const text of [
      'Do long distance relationships work?',
      'How do I download a complete playlist from YouTube?',
      'Why do people ask questions on Quora that can be easily answered by Googling? Is it laziness?',
    ]) {
      const d = router.decide({ request: ask(text), requestedModel: 'auto' });
      expect([text, d.tier]).toEqual([text, 'mid']);
      expect(d.reason).toMatch(/→ frontier; everyday question .*capped at mid/);
    }
  });

  it('leaves maths, puzzles, code, writing and follow-ups of such work to the score and the guards', () => {
    const puzzle = 'David has three sisters. Each of them has one brother. How many brothers does David have?';
    for (const text of ['How do you solve the equation x^2 - 5x + 6 = 0?', puzzle, 'Can you write a poem about the sea?', 'Why does `let x = [] == []` print false?']) {
      expect([text, router.decide({ request: ask(text), requestedModel: 'auto' }).reason]).not.toEqual([text, expect.stringMatching(/everyday question/)]);
    }
    const followUp: ChatRequest = {
      model: 'auto',
      system: [],
      messages: [user('Write a sonnet about autumn in Paris.'), { role: 'assistant', content: [{ type: 'text', text: 'Golden leaves…' }] }, user('Why did you choose that rhyme scheme?')],
      sampling: {},
    };
    expect(router.decide({ request: followUp, requestedModel: 'auto' }).reason).not.toMatch(/everyday question/);
    // A follow-up question belongs to what the conversation was doing: a puzzle's variant is a puzzle.
    const puzzleFollowUp: ChatRequest = {
      model: 'auto',
      system: [],
      messages: [user(puzzle), { role: 'assistant', content: [{ type: 'text', text: 'One.' }] }, user('If each sister had two brothers, how many brothers would David have?')],
      sampling: {},
    };
    expect(router.decide({ request: puzzleFollowUp, requestedModel: 'auto' }).reason).not.toMatch(/everyday question/);
    const chatOfQuestions: ChatRequest = {
      model: 'auto',
      system: [],
      messages: [
        user('What is the capital of Australia?'),
        { role: 'assistant', content: [{ type: 'text', text: 'Canberra.' }] },
        user('Why do people ask questions on Quora that can be easily answered by Googling?'),
      ],
      sampling: {},
    };
    expect(router.decide({ request: chatOfQuestions, requestedModel: 'auto' }).reason).toMatch(/everyday question/);
    // A multiple-choice prompt is never an everyday question (the calibrated score governs it).
    expect(router.decide({ request: ask('Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:'), requestedModel: 'auto' }).reason).not.toMatch(/everyday/);
  });

  it('never raises a question the score sends to small', () => {
    const d = router.decide({ request: ask('What is rape culture?'), requestedModel: 'auto' });
    expect(d.reason).not.toMatch(/everyday/);
    expect(d.tier).toBe('small');
  });

  it('isEverydayQuestion: one to three questions, nothing else', () => {
    expect(isEverydayQuestion('Which football club has the biggest fanbase?')).toBe(true);
    expect(isEverydayQuestion('What is the difference between the U.S. fiscal policy and monetary policy?')).toBe(true);
    expect(isEverydayQuestion('What happened to the movie Kamasutra 3D (2014)?')).toBe(true);
    expect(isEverydayQuestion("I'm an American citizen. Can I help my niece get citizenship?")).toBe(false);
    expect(isEverydayQuestion('Tell me about Rome.')).toBe(false);
    expect(isEverydayQuestion('What is 17 + 25?')).toBe(false);
    expect(isEverydayQuestion('Why is 1/0=∞?')).toBe(false);
    expect(isEverydayQuestion('Is it A?\nOr B?')).toBe(false);
    expect(isEverydayQuestion(`${'Why '.repeat(80)}?`)).toBe(false);
    expect(isEverydayQuestion('One? Two? Three? Four?')).toBe(false);
    expect(isEverydayQuestion('Can you please write a haiku about rain?')).toBe(false);
    expect(isEverydayQuestion('Could you explain how vaccines work?')).toBe(false);
    expect(isEverydayQuestion('When will Dribbble release a write API?')).toBe(true);
    // Analysis asked as a question (the team's frontier "analyze" examples) and counting problems are not everyday.
    for (const q of [
      'How does CRISPR gene editing work, and what are the scientific and ethical limits on using it in humans?',
      'What role did the Silk Road play in spreading ideas, religions and diseases between Asia and Europe?',
      'What are the trade-offs of building a city transit system around buses rather than a metro?',
      'What are the main arguments for and against nuclear deterrence?',
      'How many ways can eight people sit around a round table?',
    ])
      expect([q, isEverydayQuestion(q)]).toEqual([q, false]);
  });
});

describe('detected summaries', () => {
  it('cap a leading "summarise" instruction at mid, whatever sums the text contains', () => {
    const dialogue = Array.from(
      { length: 12 },
      (_, i) => `user: I paid $${120 + i} + $35 for flight HAT${100 + i} on May ${10 + i}; what do I owe now?\nassistant: You owe $${155 + i} in total for the change and the bag fee.`,
    ).join('\n');
    const d = router.decide({ request: ask(`Summarize this customer-service conversation in three bullet points for the support log.\n\n${dialogue}`), requestedModel: 'auto' });
    expect(d.task).toBe('summarize');
    expect(['small', 'mid']).toContain(d.tier);
    // Summarising one's own story in a constrained form is part of the writing task it follows.
    const followUp: ChatRequest = {
      model: 'auto',
      system: [],
      messages: [
        user('Write a short story about a lighthouse keeper who finds a message in a bottle.'),
        { role: 'assistant', content: [{ type: 'text', text: 'The lamp…' }] },
        user('Summarize the story with three bullet points using only nouns and adjectives.'),
      ],
      sampling: {},
    };
    expect(router.decide({ request: followUp, requestedModel: 'auto' }).reason).not.toMatch(/capped at mid/);
  });
});
