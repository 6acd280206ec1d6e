import type { ChatResponse, ReasoningPart, StreamEvent, ToolCall } from '../../core/chat-model';
import { anthropicUsageToUsage, stopReasonToFinishReason } from './from-anthropic';
import { thinkingToReasoning } from './thinking';
import type { AnthropicStreamEvent, AnthropicUsageLike } from './wire-types';

type BlockState = { kind: 'text' } | { kind: 'tool'; toolIndex: number; startInput: unknown } | { kind: 'reasoning'; part: ReasoningPart } | { kind: 'other' };

/**
 * Turns Anthropic's streaming events into provider-neutral StreamEvents.
 * Stateful, one per stream: feed every event to `push`; `message_stop`
 * yields the final `done` event carrying the whole response.
 *
 * - Tool-call indexes count `tool_use` blocks only (Anthropic's block index
 *   also counts text and thinking blocks; OpenAI-style clients expect 0, 1, …).
 * - A tool call whose input arrived as no JSON at all gets `{}` (or its
 *   start-event input) as one closing `tool_call_args`, so the concatenated
 *   arguments always parse.
 * - Usage starts from `message_start` and is overwritten by every non-null
 *   field of `message_delta.usage` (those counts are cumulative).
 * - Thinking blocks stream as `reasoning` events (thinking_delta) and end
 *   with `reasoning_done` carrying the signature (signature_delta); a
 *   redacted_thinking block is one `reasoning_done` with its data.
 * - Unknown events (`ping`, future types) are ignored.
 */
export class AnthropicStreamDecoder {
  private id = '';
  private model = '';
  private stopReason: string | null = null;
  private readonly usage: AnthropicUsageLike = {};
  private readonly blocks = new Map<number, BlockState>();
  private readonly texts: string[] = [];
  private readonly toolCalls: ToolCall[] = [];
  private readonly reasoning: ReasoningPart[] = [];
  private stopSequence: string | null = null;
  private serviceTier: string | undefined;
  private finished = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** True once `message_stop` has been seen. */
  get done(): boolean {
    return this.finished;
  }

  push(event: AnthropicStreamEvent | { type: string }): StreamEvent[] {
    const e = event as AnthropicStreamEvent;
    switch (e.type) {
      case 'message_start':
        this.id = e.message.id;
        this.model = e.message.model;
        this.mergeUsage(e.message.usage);
        this.serviceTier = e.message.usage?.service_tier ?? undefined;
        return [];
      case 'content_block_start':
        return this.startBlock(e.index, e.content_block);
      case 'content_block_delta':
        return this.delta(e.index, e.delta);
      case 'content_block_stop':
        return this.stopBlock(e.index);
      case 'message_delta':
        if (e.delta.stop_reason) this.stopReason = e.delta.stop_reason;
        if (e.delta.stop_sequence) this.stopSequence = e.delta.stop_sequence;
        this.mergeUsage(e.usage);
        return [];
      case 'message_stop':
        this.finished = true;
        return [{ type: 'done', response: this.response() }];
      default:
        return [];
    }
  }

  /** The response as accumulated so far (complete once `done`). */
  response(): ChatResponse {
    const response: ChatResponse = {
      id: this.id,
      model: this.model,
      created: Math.floor(this.now() / 1000),
      content: this.texts.length ? this.texts.join('') : null,
      tool_calls: this.toolCalls.map((c) => ({ ...c })),
      finish_reason: stopReasonToFinishReason(this.stopReason),
      usage: anthropicUsageToUsage(this.usage),
    };
    if (this.reasoning.length) response.reasoning = this.reasoning.map((p) => ({ ...p }));
    if (this.stopReason === 'stop_sequence' && this.stopSequence) response.stop_sequence = this.stopSequence;
    if (this.serviceTier) response.service_tier = this.serviceTier;
    return response;
  }

  private startBlock(index: number, block: { type: string; text?: string; id?: string; name?: string; input?: unknown; thinking?: string; signature?: string; data?: string }): StreamEvent[] {
    const reasoning = thinkingToReasoning(block);
    if (reasoning) {
      this.blocks.set(index, { kind: 'reasoning', part: reasoning });
      return reasoning.text ? [{ type: 'reasoning', text: reasoning.text }] : [];
    }
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      return this.appendText(block.text ?? '');
    }
    if (block.type === 'tool_use') {
      const toolIndex = this.toolCalls.length;
      this.toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: '' });
      this.blocks.set(index, { kind: 'tool', toolIndex, startInput: block.input });
      return [{ type: 'tool_call_start', index: toolIndex, id: block.id ?? '', name: block.name ?? '' }];
    }
    this.blocks.set(index, { kind: 'other' });
    return [];
  }

  private delta(index: number, delta: { type: string; text?: string; partial_json?: string; thinking?: string; signature?: string }): StreamEvent[] {
    const block = this.blocks.get(index);
    if (block?.kind === 'reasoning') {
      if (delta.type === 'signature_delta') block.part.signature = (block.part.signature ?? '') + (delta.signature ?? '');
      if (delta.type !== 'thinking_delta' || !delta.thinking) return [];
      block.part.text += delta.thinking;
      return [{ type: 'reasoning', text: delta.thinking }];
    }
    if (delta.type === 'text_delta' && block?.kind === 'text') return this.appendText(delta.text ?? '');
    if (delta.type === 'input_json_delta' && block?.kind === 'tool' && delta.partial_json) {
      this.toolCalls[block.toolIndex].arguments += delta.partial_json;
      return [{ type: 'tool_call_args', index: block.toolIndex, arguments: delta.partial_json }];
    }
    return [];
  }

  private stopBlock(index: number): StreamEvent[] {
    const block = this.blocks.get(index);
    if (block?.kind === 'reasoning') {
      this.reasoning.push(block.part);
      return [{ type: 'reasoning_done', part: { ...block.part } }];
    }
    if (block?.kind !== 'tool') return [];
    const call = this.toolCalls[block.toolIndex];
    if (call.arguments !== '') return [];
    const input = block.startInput && typeof block.startInput === 'object' ? block.startInput : {};
    call.arguments = JSON.stringify(input);
    return [{ type: 'tool_call_args', index: block.toolIndex, arguments: call.arguments }];
  }

  private appendText(text: string): StreamEvent[] {
    if (!text) return [];
    this.texts.push(text);
    return [{ type: 'text', text }];
  }

  private mergeUsage(usage: AnthropicUsageLike | null | undefined): void {
    if (!usage) return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
      const value = usage[key];
      if (value !== null && value !== undefined) this.usage[key] = value;
    }
    if (usage.cache_creation) this.usage.cache_creation = usage.cache_creation;
    if (usage.output_tokens_details) this.usage.output_tokens_details = usage.output_tokens_details;
  }
}
