import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelEntry } from '../../shared/core/catalog/catalog';
import { AdapterSummarizer, renderTranscript, type SummarizeInput, type SummarizeResult, type Summarizer } from '../../shared/levers/context/summarizer';
import { estimateTokens } from '../../shared/levers/context/token-estimate';
import { createLogger } from '../../shared/platform/logging/logger';

/** A summariser for the scripts, plus what to close afterwards and what it is (printed in the result). */
export interface SummarizerBackend {
  summarizer: Summarizer;
  kind: string;
  close(): Promise<void>;
}

/**
 * The eval's summariser: the OpenAI adapter against `baseURL` when given,
 * else against the in-process simulator (infra/simulator/server.ts). If the
 * simulator is not in this tree yet, a local deterministic pseudo-summariser
 * stands in and says so in `kind` — its numbers are not the simulator's.
 */
export async function openSummarizerBackend(model: ModelEntry, baseURL?: string, maxTokens = 400): Promise<SummarizerBackend> {
  const log = createLogger({ service: 'context-eval', level: 'silent' });
  const { OpenAIAdapter } = await import('../../shared/providers/openai/adapter');
  if (baseURL) {
    const adapter = new OpenAIAdapter({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-eval', baseURL }, log);
    return { summarizer: new AdapterSummarizer(adapter, model, { maxTokens }), kind: `openai:${baseURL}`, close: async () => {} };
  }
  const serverPath = join(__dirname, '../../infra/simulator/server.ts');
  if (existsSync(serverPath)) {
    const { startSimulator } = (await import(serverPath)) as { startSimulator(o: { port: number; logger?: unknown }): Promise<{ url: string; close(): Promise<void> | void }> };
    const sim = await startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
    const adapter = new OpenAIAdapter({ apiKey: 'sk-simulator', baseURL: `${sim.url}/v1` }, log);
    return { summarizer: new AdapterSummarizer(adapter, model, { maxTokens }), kind: 'simulator', close: async () => void (await sim.close()) };
  }
  return { summarizer: new PseudoSummarizer(model, maxTokens), kind: 'local-pseudo (simulator not found)', close: async () => {} };
}

/** Deterministic stand-in: ~maxTokens/2 tokens of filler derived from the transcript, usage estimated. */
class PseudoSummarizer implements Summarizer {
  constructor(
    readonly model: ModelEntry,
    private readonly maxTokens: number,
  ) {}
  async summarize(input: SummarizeInput): Promise<SummarizeResult> {
    const transcript = renderTranscript(input.messages);
    const words = transcript.split(/\s+/).filter((w) => /^[a-z]{4,}$/.test(w));
    const text = words.slice(0, Math.floor(this.maxTokens / 2)).join(' ');
    return {
      text,
      usage: { input_tokens: estimateTokens(input.instructions) + estimateTokens(transcript) + 10, output_tokens: estimateTokens(text), cached_input_tokens: 0, cache_write_tokens: 0 },
      model: this.model,
    };
  }
}
