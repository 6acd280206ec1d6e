import { summarizeRequest } from '../../shared/routing/request-summary';
import { detectTask, normalizeTask } from '../../shared/routing/task-hints';
import { parseOptions } from '../../shared/routing/features';
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
