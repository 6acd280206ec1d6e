import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import pino from 'pino';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../infra/simulator/server';
import { track } from '../helpers/lifecycle';

/** A simulator on a random port with a silent logger. */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return track(startSimulator({ port: 0, logger: pino({ level: 'silent' }), ...options }));
}

export function openaiClient(sim: Simulator, options: { maxRetries?: number; timeout?: number } = {}): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: options.maxRetries ?? 0, timeout: options.timeout });
}

export function anthropicClient(sim: Simulator, options: { maxRetries?: number } = {}): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: options.maxRetries ?? 0 });
}

/** Polls until `done` holds, or fails after `timeoutMs`. */
export async function pollUntil<T>(fetch: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fetch();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A long, varied English text of roughly `words` words (for prompt-caching tests). */
export function longText(words: number, seed = 1): string {
  const vocab = ['policy', 'customer', 'refund', 'shipping', 'account', 'invoice', 'warranty', 'support', 'delivery', 'order', 'the', 'a', 'is', 'for', 'within', 'days', 'after', 'request'];
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(vocab[x % vocab.length]);
    if (i % 12 === 11) out.push('.');
  }
  return out.join(' ');
}

/** Claude model in the catalog that the SDK does not flag as deprecated (no console warning). */
export const CLAUDE = 'claude-haiku-4-5';
export const GPT = 'gpt-4o-mini';
