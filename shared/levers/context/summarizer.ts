import type { ModelEntry } from '../../core/catalog/catalog';
import type { ChatMessage, ChatRequest, Usage } from '../../core/chat-model';
import type { ProviderAdapter } from '../../providers/provider-adapter';

/** Writes the prose summary of compacted messages. Injected so the stage never depends on a provider. */
export interface Summarizer {
  summarize(input: SummarizeInput): Promise<SummarizeResult>;
  /** The model it calls, when known: the cost model prices a summary before deciding to write one. */
  readonly model?: ModelEntry;
}

export interface SummarizeInput {
  /** The messages to summarise (already masked for `mask+summarize`). */
  messages: ChatMessage[];
  /** What to keep and how to write it; see SUMMARY_INSTRUCTIONS. */
  instructions: string;
  signal?: AbortSignal;
}

export interface SummarizeResult {
  text: string;
  usage: Usage;
  /** The model that wrote it, to price the overhead. */
  model: ModelEntry;
}

/** Bumped whenever the instructions change, so stored summaries of the old wording are not reused. */
export const SUMMARY_INSTRUCTIONS_VERSION = 'v1';

export const SUMMARY_INSTRUCTIONS = [
  "You compress the earlier part of an AI agent's conversation so the agent can continue without it.",
  'Write a dense summary in plain sentences, at most 200 words, of what the transcript below establishes.',
  'Keep verbatim, never paraphrase or round: identifiers and codes, numbers, amounts and currencies, dates and times, names of people, places and products.',
  'Keep every decision taken, every action already performed with its outcome, what the user asked for and confirmed or refused, constraints and policies that were applied, and open questions or pending steps.',
  'Drop pleasantries, repetition and raw data that no later step needs. Do not invent anything. Do not address the user.',
  'If the transcript starts with a "Summary so far", merge it with the new messages into one updated summary.',
].join('\n');

/** Renders messages as a plain transcript the summariser reads (no tool schemas needed). */
export function renderTranscript(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === 'tool') {
      lines.push(`[tool result ${m.tool_call_id}${m.is_error ? ' (error)' : ''}]: ${m.content}`);
      continue;
    }
    const text = m.content.map((p) => (p.type === 'text' ? p.text : `[image]`)).join('\n');
    if (text) lines.push(`[${m.role}]: ${text}`);
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) lines.push(`[assistant calls ${c.name} (${c.id})]: ${c.arguments}`);
  }
  return lines.join('\n');
}

export interface AdapterSummarizerOptions {
  /** Output cap for one summary; default 400 tokens. */
  maxTokens?: number;
  /** Per-call timeout; default 20,000 ms. */
  timeoutMs?: number;
}

/** A Summarizer over any provider adapter, normally with the catalog's cheapest small-tier model. */
export class AdapterSummarizer implements Summarizer {
  constructor(
    private readonly adapter: ProviderAdapter,
    readonly model: ModelEntry,
    private readonly options: AdapterSummarizerOptions = {},
  ) {}

  async summarize(input: SummarizeInput): Promise<SummarizeResult> {
    const request: ChatRequest = {
      model: this.model.id,
      system: [{ type: 'text', text: input.instructions }],
      messages: [{ role: 'user', content: [{ type: 'text', text: `Transcript to summarise:\n\n${renderTranscript(input.messages)}` }] }],
      sampling: { temperature: 0, max_tokens: this.options.maxTokens ?? 400 },
    };
    const response = await this.adapter.complete(request, this.model, { signal: input.signal, timeoutMs: this.options.timeoutMs ?? 20_000 });
    return { text: (response.content ?? '').trim(), usage: response.usage, model: this.model };
  }
}

/**
 * The summariser the stage should use: the cheapest small-tier model of the
 * first configured provider (`preferred` first; default openai, then the rest
 * of the catalog's providers). Undefined when no small model can be called.
 */
export function smallTierSummarizer(
  catalog: { byTier(tier: 'small', provider?: string): ModelEntry[] },
  adapterFor: (provider: string) => ProviderAdapter,
  isProviderConfigured: (provider: string) => boolean,
  options: AdapterSummarizerOptions & { preferred?: string[] } = {},
): AdapterSummarizer | undefined {
  const candidates = catalog.byTier('small');
  const order = [...(options.preferred ?? ['openai']), ...candidates.map((m) => m.provider)];
  for (const provider of order) {
    const model = candidates.find((m) => m.provider === provider);
    if (model && isProviderConfigured(provider)) return new AdapterSummarizer(adapterFor(provider), model, options);
  }
  return undefined;
}
