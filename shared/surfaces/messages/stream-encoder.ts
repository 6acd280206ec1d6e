import type { ChatResponse, StreamEvent } from '../../core/chat-model';
import { reasoningBlock, stopReasonOf, usageToMessages } from './from-internal';

/** One server-sent event of the Messages stream: its `event:` name and its data. */
export interface MessagesSseEvent {
  event: string;
  data: Record<string, unknown>;
}

type OpenBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number };

/**
 * Turns provider-neutral stream events into Anthropic's streaming events, as
 * Anthropic sends them: `message_start`, a `ping`, per block
 * `content_block_start` / `content_block_delta` (`thinking_delta` then
 * `signature_delta`, `text_delta`, `input_json_delta`) / `content_block_stop`,
 * then `message_delta` (stop reason, usage) and `message_stop`.
 *
 * Stateful, one per stream. The neutral events only carry usage at `done`, so
 * `message_start` reports zero tokens and `message_delta` the whole usage
 * (the SDK's MessageStream takes the token counts from there; the 5m / 1h
 * split of cache writes and the service tier it reads from `message_start`
 * only, so a streamed final message shows them as zero / standard — the
 * stored job has the real ones). A block is
 * closed when a block of another kind (or another tool call) begins.
 */
export class MessagesStreamEncoder {
  private started = false;
  private index = -1;
  private open: OpenBlock | undefined;

  constructor(
    private readonly id: string,
    private readonly model: string,
  ) {}

  encode(event: StreamEvent): MessagesSseEvent[] {
    const out: MessagesSseEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.messageStart(), { event: 'ping', data: { type: 'ping' } });
    }
    switch (event.type) {
      case 'reasoning':
        if (this.open?.kind !== 'thinking') this.startBlock(out, { kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
        if (event.text) out.push(this.delta({ type: 'thinking_delta', thinking: event.text }));
        break;
      case 'reasoning_done': {
        const block = reasoningBlock(event.part);
        if (block.type === 'redacted_thinking') {
          this.closeBlock(out);
          this.startBlock(out, { kind: 'thinking' }, block);
        } else {
          if (this.open?.kind !== 'thinking') this.startBlock(out, { kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
          out.push(this.delta({ type: 'signature_delta', signature: block.signature }));
        }
        this.closeBlock(out);
        break;
      }
      case 'text':
        if (!event.text) break;
        if (this.open?.kind !== 'text') this.startBlock(out, { kind: 'text' }, { type: 'text', text: '', citations: null });
        out.push(this.delta({ type: 'text_delta', text: event.text }));
        break;
      case 'tool_call_start':
        this.startBlock(out, { kind: 'tool', toolIndex: event.index }, { type: 'tool_use', id: event.id, name: event.name, input: {} });
        break;
      case 'tool_call_args':
        // Arguments belong to the open tool block; OpenAI and Anthropic both stream one call's arguments before the next call starts.
        if (this.open?.kind === 'tool' && this.open.toolIndex === event.index && event.arguments) out.push(this.delta({ type: 'input_json_delta', partial_json: event.arguments }));
        break;
      case 'done':
        this.closeBlock(out);
        out.push(...this.finish(event.response));
        break;
    }
    return out;
  }

  private messageStart(): MessagesSseEvent {
    // The counts come in message_delta; cache_creation and service_tier, which the SDK reads from here only, are placeholders.
    const usage = {
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 0,
      service_tier: 'standard',
    };
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage };
    return { event: 'message_start', data: { type: 'message_start', message } };
  }

  private startBlock(out: MessagesSseEvent[], block: OpenBlock, content: Record<string, unknown>): void {
    this.closeBlock(out);
    this.index += 1;
    this.open = block;
    out.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.index, content_block: content } });
  }

  private closeBlock(out: MessagesSseEvent[]): void {
    if (!this.open) return;
    out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.index } });
    this.open = undefined;
  }

  private delta(delta: Record<string, unknown>): MessagesSseEvent {
    return { event: 'content_block_delta', data: { type: 'content_block_delta', index: this.index, delta } };
  }

  private finish(response: ChatResponse): MessagesSseEvent[] {
    const usage = usageToMessages(response.usage, response.service_tier);
    return [
      {
        event: 'message_delta',
        data: { type: 'message_delta', delta: { stop_reason: stopReasonOf(response), stop_sequence: response.stop_sequence ?? null }, usage },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ];
  }
}

/** One SSE frame as Anthropic writes it: `event: <name>` and `data: <json>`. */
export function sseFrame(event: MessagesSseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
