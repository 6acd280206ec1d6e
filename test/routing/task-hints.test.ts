import { summarizeRequest } from '../../shared/levers/routing/request-summary';
import { detectTask, normalizeTask } from '../../shared/levers/routing/task-hints';
import { parseOptions } from '../../shared/levers/routing/features';
import { ask } from './helpers';

const detect = (text: string, extra = {}) => detectTask(summarizeRequest(ask(text, extra)));

describe('normalizeTask', () => {
  it('accepts the documented kinds and common free text', () => {
    expect(normalizeTask('plan')).toBe('plan');
    expect(normalizeTask(' Classify ')).toBe('classify');
    expect(normalizeTask('named entity extraction')).toBe('extract');
    expect(normalizeTask('function calling')).toBe('tool_select');
    expect(normalizeTask('creative writing')).toBe('synthesize');
    expect(normalizeTask('math word problems')).toBe('reason');
    expect(normalizeTask('debugging')).toBe('code');
    expect(normalizeTask('rewrite')).toBe('chat');
    expect(normalizeTask('roleplay')).toBe('synthesize');
    expect(normalizeTask('gibberish')).toBeUndefined();
    expect(normalizeTask(undefined)).toBeUndefined();
  });
});

describe('detectTask', () => {
  it('recognises work that needs at least the mid tier', () => {
    expect(detect('Write a short story about a lighthouse keeper.')).toBe('synthesize');
    expect(detect('Create a 12-week marathon training plan.')).toBe('plan');
    expect(detect('Prove that the square root of 2 is irrational.')).toBe('reason');
    expect(detect('Implement a trie in Rust with insert and search.')).toBe('code');
    expect(detect('Embody the persona of a pirate captain for the rest of this chat.')).toBe('synthesize');
    expect(detect('Which word does not belong: apple, pear, carrot, plum?')).toBe('reason');
    expect(detect('A tank holds 300 litres and leaks 4 litres an hour while 2 litres an hour flow in. How long until it is empty?')).toBe('reason');
  });

  it('does not mistake plain extraction or classification for code or reasoning', () => {
    expect(detect('Extract the sender and the date from this header: "From: Kim <kim@corp.com> Date: 12 Sep 2024"')).toBe('extract');
    expect(detect('Return JSON with fields name and age: "Marco, 34"')).not.toBe('code');
    expect(detect('Classify the sentiment of this review: "great value"')).toBe('classify');
    expect(detect('How many days are there in a leap year?')).toBeUndefined();
  });

  it('takes a leading "summarise" instruction as a summary, whatever numbers the text holds', () => {
    expect(detect('Summarize this thread in two bullet points.\n\nuser: I paid $120 + $35 = $155 for the change, and 2 bags at $35 each. How much do I owe for 3 passengers?')).toBe('summarize');
    expect(detect('Give me a short summary of the meeting: we agreed on 3 hires and a $40k budget for Q3, what is left for Q4?')).toBe('summarize');
    // Not leading: the sums are the work.
    expect(detect('I paid $120 + $35 = $155 for the change and 2 bags at $35 each; how much for 3 passengers? Then summarize.')).toBe('reason');
  });

  it('can leave numbers alone (agent conversations: flight numbers, dates, prices)', () => {
    const text = 'I prefer flights departing after 8am and before 9pm on May 24. Could you check options for 2 passengers?';
    const s = summarizeRequest(ask(text));
    expect(detectTask(s)).toBe('reason');
    expect(detectTask(s, { numericPuzzles: false })).toBeUndefined();
    // Explicit reasoning cues still count.
    expect(detectTask(summarizeRequest(ask('Calculate the total refund for 2 passengers at $174 each.')), { numericPuzzles: false })).toBe('reason');
  });

  it('falls back to tool selection when tools are offered', () => {
    expect(detect("What's the weather in Oslo?", { tools: [{ name: 'get_weather', parameters: {} }] })).toBe('tool_select');
  });
});

describe('parseOptions', () => {
  it('splits a multiple-choice prompt into stem and options', () => {
    const { stem, options } = parseOptions('Which is largest?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer:');
    expect(stem).toBe('Which is largest?');
    expect(options).toEqual(['1', '2', '3', '4']);
  });

  it('finds no options in prose', () => {
    expect(parseOptions('A. Smith wrote this.\nNothing else here.').options).toEqual([]);
  });
});
