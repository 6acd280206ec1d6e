import type { StreamEvent, ToolCall } from '../../core/chat-model';
import { openAICompletionToResponse, type OpenAICompletionLike } from './completion-to-internal';
import { ProviderError } from '../../core/errors/provider-error';
import { PROVIDER_NAME } from './errors';

/** Minimal structural view of an OpenAI `chat.completion.chunk` (what the SDK stream yields). */
export interface OpenAIChunkLike {
  id: string;
  created: number;
  model: string;
  choices: {
    delta?: {
      content?: string | null;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] | null;
    } | null;
    finish_reason: string | null;
    logprobs?: { content?: unknown[] | null; refusal?: unknown[] | null } | null;
  }[];
  usage?: OpenAICompletionLike['usage'];
  service_tier?: string | null;
}

/**
 * Assembles OpenAI stream chunks into provider-neutral StreamEvents.
 *
 * - `tool_call_start` is emitted once per tool-call index, when a delta has
 *   carried both its id and name; argument fragments seen before that (some
 *   OpenAI-compatible servers send them early) are held and flushed after it.
 * - The final `done` carries the response built from the accumulated text,
 *   tool calls, finish reason and the usage chunk (`include_usage`), mapped
 *   by the same function as a non-streamed completion.
 * - A stream that ends without a finish reason was cut off: ProviderError
 *   with status 0 (retryable), never a truncated `done`.
 */
export async function* openAIStreamEvents(chunks: AsyncIterable<OpenAIChunkLike>): AsyncGenerator<StreamEvent> {
  let id = '';
  let model = '';
  let created = 0;
  let text: string | null = null;
  let finishReason: string | null = null;
  let usage: OpenAICompletionLike['usage'] = null;
  let serviceTier: string | null = null;
  // Streamed logprobs come a few tokens per chunk: gathered into one choice-level object.
  let logprobs: { content: unknown[]; refusal: unknown[] } | null = null;
  const calls = new Map<number, ToolCall & { started: boolean; pending: string[] }>();

  for await (const chunk of chunks) {
    id ||= chunk.id;
    model ||= chunk.model;
    created ||= chunk.created;
    if (chunk.usage) usage = chunk.usage;
    if (chunk.service_tier) serviceTier = chunk.service_tier;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.logprobs) {
      logprobs ??= { content: [], refusal: [] };
      logprobs.content.push(...(choice.logprobs.content ?? []));
      logprobs.refusal.push(...(choice.logprobs.refusal ?? []));
    }
    const delta = choice.delta ?? {};
    if (delta.content) {
      text = (text ?? '') + delta.content;
      yield { type: 'text', text: delta.content };
    }
    for (const d of delta.tool_calls ?? []) {
      let call = calls.get(d.index);
      if (!call) {
        call = { id: '', name: '', arguments: '', started: false, pending: [] };
        calls.set(d.index, call);
      }
      if (d.id) call.id = d.id;
      if (d.function?.name && !call.name) call.name = d.function.name;
      const fragment = d.function?.arguments ?? '';
      if (fragment) call.arguments += fragment;
      if (!call.started && call.id && call.name) {
        call.started = true;
        yield { type: 'tool_call_start', index: d.index, id: call.id, name: call.name };
        for (const held of call.pending) yield { type: 'tool_call_args', index: d.index, arguments: held };
        call.pending = [];
        if (fragment) yield { type: 'tool_call_args', index: d.index, arguments: fragment };
      } else if (fragment) {
        if (call.started) yield { type: 'tool_call_args', index: d.index, arguments: fragment };
        else call.pending.push(fragment);
      }
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  if (!finishReason) throw new ProviderError(PROVIDER_NAME, 0, 'stream ended before the final chunk');
  const ordered = [...calls.entries()].sort(([a], [b]) => a - b);
  for (const [index, call] of ordered) {
    if (call.started) continue;
    // Never named/identified (a non-conforming server): still report what arrived.
    yield { type: 'tool_call_start', index, id: call.id, name: call.name };
    if (call.arguments) yield { type: 'tool_call_args', index, arguments: call.arguments };
  }
  const response = openAICompletionToResponse({
    id,
    model,
    created,
    choices: [
      {
        message: {
          content: text,
          tool_calls: ordered.map(([, c]) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        },
        finish_reason: finishReason,
        logprobs,
      },
    ],
    usage,
    service_tier: serviceTier,
  });
  yield { type: 'done', response };
}
