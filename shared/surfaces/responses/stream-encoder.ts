import type { ChatResponse, ReasoningPart, StreamEvent, ToolCall } from '../../core/chat-model';
import { chatResponseToResponse, functionCallItem, itemIds, messageItem, reasoningItem, responseId, type ResponseEcho } from './from-internal';

/**
 * Turns provider-neutral stream events into the Responses API's typed SSE
 * events, each with its `sequence_number`: response.created / in_progress,
 * then per output item `output_item.added`, its parts and deltas, its
 * `.done` events and `output_item.done`, and finally response.completed
 * (or response.incomplete / response.failed). Item ids match the ones the
 * finished Response (and the stored copy) carries.
 */
export interface ResponseStreamEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

type Open =
  | { kind: 'reasoning'; index: number; id: string; text: string; reasoningIndex: number }
  | { kind: 'message'; index: number; id: string; text: string }
  | { kind: 'call'; index: number; id: string; call: ToolCall };

export class ResponsesStreamEncoder {
  private sequence = 0;
  private outputs = 0;
  private reasoningCount = 0;
  private open: Open | undefined;
  private readonly calls = new Map<number, Open & { kind: 'call' }>();

  constructor(
    private readonly jobId: string,
    private readonly model: string,
    private readonly createdAt: number,
    private readonly echo: ResponseEcho,
  ) {}

  /** The opening events: the response as created, then in progress. */
  start(): ResponseStreamEvent[] {
    const response = { ...this.skeleton(), status: 'in_progress', output: [], usage: null, completed_at: null };
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  encode(event: StreamEvent): ResponseStreamEvent[] {
    const out: ResponseStreamEvent[] = [];
    switch (event.type) {
      case 'reasoning': {
        if (this.open?.kind !== 'reasoning') {
          this.closeOpen(out);
          this.openReasoning(out);
        }
        const r = this.open as Open & { kind: 'reasoning' };
        r.text += event.text;
        out.push(this.event('response.reasoning_summary_text.delta', { item_id: r.id, output_index: r.index, summary_index: 0, delta: event.text }));
        break;
      }
      case 'reasoning_done': {
        if (this.open?.kind !== 'reasoning') {
          this.closeOpen(out);
          this.openReasoning(out);
        }
        this.closeReasoning(out, event.part);
        break;
      }
      case 'text': {
        if (this.open?.kind !== 'message') {
          this.closeOpen(out);
          const id = itemIds.message(this.jobId);
          this.open = { kind: 'message', index: this.outputs++, id, text: '' };
          out.push(this.event('response.output_item.added', { output_index: this.open.index, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } }));
          out.push(this.event('response.content_part.added', { item_id: id, output_index: this.open.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }));
        }
        const m = this.open as Open & { kind: 'message' };
        m.text += event.text;
        out.push(this.event('response.output_text.delta', { item_id: m.id, output_index: m.index, content_index: 0, delta: event.text, logprobs: [] }));
        break;
      }
      case 'tool_call_start': {
        this.closeOpen(out);
        const id = itemIds.call(this.jobId, event.index);
        const open: Open & { kind: 'call' } = { kind: 'call', index: this.outputs++, id, call: { id: event.id, name: event.name, arguments: '' } };
        this.open = open;
        this.calls.set(event.index, open);
        out.push(this.event('response.output_item.added', { output_index: open.index, item: functionCallItem(open.call, id, 'in_progress') }));
        break;
      }
      case 'tool_call_args': {
        const call = this.calls.get(event.index);
        if (!call) break;
        call.call.arguments += event.arguments;
        out.push(this.event('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: event.arguments }));
        break;
      }
      case 'done':
        this.closeOpen(out);
        out.push(...this.finish(event.response));
        break;
    }
    return out;
  }

  /**
   * The end of a stream that failed after it started: an `error` event (the
   * openai SDK throws an APIError on it) and `response.failed` with the error,
   * the terminal event clients that wait for one (the AI SDK) finish on.
   */
  fail(code: string, message: string): ResponseStreamEvent[] {
    const response = { ...this.skeleton(), status: 'failed', output: [], usage: null, completed_at: null, error: { code, message } };
    return [this.event('error', { code, message, param: null }), this.event('response.failed', { response })];
  }

  private finish(response: ChatResponse): ResponseStreamEvent[] {
    const body = chatResponseToResponse(response, this.jobId, this.model, this.echo, this.createdAt);
    return [this.event(body.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: body })];
  }

  private openReasoning(out: ResponseStreamEvent[]): void {
    const reasoningIndex = this.reasoningCount++;
    const id = itemIds.reasoning(this.jobId, reasoningIndex);
    this.open = { kind: 'reasoning', index: this.outputs++, id, text: '', reasoningIndex };
    out.push(this.event('response.output_item.added', { output_index: this.open.index, item: { id, type: 'reasoning', summary: [] } }));
    out.push(this.event('response.reasoning_summary_part.added', { item_id: id, output_index: this.open.index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
  }

  private closeReasoning(out: ResponseStreamEvent[], part?: ReasoningPart): void {
    const r = this.open as Open & { kind: 'reasoning' };
    this.open = undefined;
    const text = part?.text || r.text;
    out.push(this.event('response.reasoning_summary_text.done', { item_id: r.id, output_index: r.index, summary_index: 0, text }));
    out.push(this.event('response.reasoning_summary_part.done', { item_id: r.id, output_index: r.index, summary_index: 0, part: { type: 'summary_text', text } }));
    const item = reasoningItem({ type: 'reasoning', provider: 'openai', ...part, text }, r.id, this.echo.include?.includes('reasoning.encrypted_content') === true);
    out.push(this.event('response.output_item.done', { output_index: r.index, item }));
  }

  private closeOpen(out: ResponseStreamEvent[]): void {
    const open = this.open;
    if (!open) {
      for (const call of this.calls.values()) this.closeCall(out, call);
      return;
    }
    if (open.kind === 'reasoning') return this.closeReasoning(out);
    this.open = undefined;
    if (open.kind === 'message') {
      const part = { type: 'output_text', text: open.text, annotations: [], logprobs: [] };
      out.push(this.event('response.output_text.done', { item_id: open.id, output_index: open.index, content_index: 0, text: open.text, logprobs: [] }));
      out.push(this.event('response.content_part.done', { item_id: open.id, output_index: open.index, content_index: 0, part }));
      out.push(this.event('response.output_item.done', { output_index: open.index, item: messageItem(open.text, open.id) }));
    }
    for (const call of this.calls.values()) this.closeCall(out, call);
  }

  /** Closes a function call once: its arguments are complete when the next item (or the end) comes. */
  private closeCall(out: ResponseStreamEvent[], call: Open & { kind: 'call' }): void {
    if (this.open === call) this.open = undefined;
    for (const [key, value] of this.calls) if (value === call) this.calls.delete(key);
    out.push(this.event('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, name: call.call.name, arguments: call.call.arguments }));
    out.push(this.event('response.output_item.done', { output_index: call.index, item: functionCallItem(call.call, call.id) }));
  }

  private skeleton() {
    const {
      output: _output,
      usage: _usage,
      ...rest
    } = chatResponseToResponse(
      {
        id: '',
        model: this.model,
        content: null,
        tool_calls: [],
        finish_reason: 'stop',
        usage: { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0 },
        created: this.createdAt,
      },
      this.jobId,
      this.model,
      this.echo,
      this.createdAt,
    );
    return { ...rest, id: responseId(this.jobId) };
  }

  private event(type: string, fields: Record<string, unknown>): ResponseStreamEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }
}
