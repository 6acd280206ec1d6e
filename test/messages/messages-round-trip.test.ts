import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import fc from 'fast-check';
import { Catalog, type ModelEntry } from '../../shared/core/catalog/catalog';
import { effortForModel } from '../../shared/core/catalog/reasoning-effort';
import type { ChatRequest, ChatResponse } from '../../shared/core/chat-model';
import { anthropicMessageToResponse } from '../../shared/providers/anthropic/from-anthropic';
import { AnthropicStreamDecoder } from '../../shared/providers/anthropic/stream-decoder';
import { chatRequestToAnthropicParams } from '../../shared/providers/anthropic/to-anthropic';
import type { AnthropicMessage } from '../../shared/providers/anthropic/wire-types';
import { openAICompletionToResponse } from '../../shared/providers/openai/completion-to-internal';
import { chatRequestToOpenAIBody, chatResponseToCompletion } from '../../shared/surfaces/chat-completions/from-internal';
import { ChatCompletionBodySchema } from '../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../shared/surfaces/chat-completions/to-internal';
import { chatResponseToMessage } from '../../shared/surfaces/messages/from-internal';
import { MessagesBodySchema } from '../../shared/surfaces/messages/request-schema';
import { MessagesStreamEncoder, sseFrame } from '../../shared/surfaces/messages/stream-encoder';
import { messagesBodyToChatRequest } from '../../shared/surfaces/messages/to-internal';
import { outputItems } from '../../shared/surfaces/responses/from-internal';
import { responsesSurface } from '../../shared/surfaces/responses/definition';
import { anthropicMessage, messagesBody } from './messages-arbitraries';

/**
 * Translation round trips, property-tested: whatever a client may send (or a
 * provider may answer), going through the internal model and a provider's
 * wire format and back loses nothing that format can carry.
 */

const CLAUDE: Pick<ModelEntry, 'id' | 'max_output_tokens' | 'reasoning'> = {
  id: 'claude-sonnet-4-6',
  max_output_tokens: 64000,
  reasoning: { efforts: ['none', 'low', 'medium', 'high', 'xhigh'], default_effort: 'medium', budget_tokens: true },
};
const RUNS = { numRuns: 300 };

const toInternal = (body: unknown): ChatRequest => messagesBodyToChatRequest(MessagesBodySchema.parse(body));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('Messages body → internal → Anthropic wire → internal', () => {
  test('the internal request survives the Anthropic wire unchanged', () => {
    fc.assert(
      fc.property(messagesBody, (body) => {
        const first = toInternal(body);
        // The Anthropic wire format is the Messages format: the params parse as a Messages body again.
        const wire = clone(chatRequestToAnthropicParams(first, CLAUDE));
        const second = toInternal(wire);
        expect(second).toEqual(first);
      }),
      RUNS,
    );
  });

  test('the wire keeps the caller’s blocks in Anthropic’s order: thinking first, tool_result first, cache_control kept', () => {
    fc.assert(
      fc.property(messagesBody, (body) => {
        const wire = chatRequestToAnthropicParams(toInternal(body), CLAUDE);
        expect(wire.messages).toEqual(body.messages.map((m) => ({ role: m.role, content: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map(normalisedBlock) })));
      }),
      RUNS,
    );
  });
});

describe('Messages body → internal → OpenAI chat wire → internal', () => {
  test('what chat completions can carry survives: turns, tool calls and results, images, tools, choice, sampling', () => {
    fc.assert(
      fc.property(messagesBody, (body) => {
        const first = toInternal(body);
        const wire = clone(chatRequestToOpenAIBody(first, 'gpt-4.1-mini'));
        const second = openAIBodyToChatRequest(ChatCompletionBodySchema.parse(wire));
        expect(openAIView(second)).toEqual(openAIView(first));
      }),
      RUNS,
    );
  });
});

describe('thinking ↔ reasoning effort across providers', () => {
  const gpt = Catalog.load().find('gpt-5.4-mini')!;
  test('a Messages thinking budget or effort reaches an OpenAI reasoning model as the effort it stands for, and comes back as that effort', () => {
    fc.assert(
      fc.property(messagesBody, (body) => {
        const first = toInternal(body);
        const wire = clone(chatRequestToOpenAIBody(first, gpt.id, gpt));
        expect(wire.reasoning_effort).toBe(effortForModel(gpt, first.reasoning));
        if (wire.reasoning_effort !== undefined) expect(openAIBodyToChatRequest(ChatCompletionBodySchema.parse(wire)).reasoning?.effort).toBe(wire.reasoning_effort);
      }),
      RUNS,
    );
    const effortOf = (thinking: Record<string, unknown>) =>
      chatRequestToOpenAIBody(toInternal({ model: 'auto', max_tokens: 40000, thinking, messages: [{ role: 'user', content: 'q' }] }), gpt.id, gpt).reasoning_effort;
    expect(effortOf({ type: 'enabled', budget_tokens: 3000 })).toBe('low');
    expect(effortOf({ type: 'enabled', budget_tokens: 30000 })).toBe('high');
    expect(gpt.reasoning?.efforts).toContain(effortOf({ type: 'disabled' }));
  });
});

describe('answers back to the Messages surface', () => {
  test('Anthropic Message → internal → Message gives back the same blocks, stop reason and usage', () => {
    fc.assert(
      fc.property(anthropicMessage, (message) => {
        const internal = anthropicMessageToResponse(message as unknown as AnthropicMessage);
        const out = clone(chatResponseToMessage(internal, message.id, message.model));
        expect(out).toEqual(message);
      }),
      RUNS,
    );
  });

  test('Anthropic stream → internal events → Messages stream: the SDK’s MessageStream accumulates the same Message', async () => {
    await fc.assert(
      fc.asyncProperty(anthropicMessage, async (message) => {
        const decoder = new AnthropicStreamDecoder();
        const encoder = new MessagesStreamEncoder(message.id, message.model);
        const frames = anthropicEvents(message)
          .flatMap((e) => decoder.push(e as never))
          .flatMap((e) => encoder.encode(e));
        expect(frames.every((f) => sseFrame(f) === `event: ${f.event}\ndata: ${JSON.stringify(f.data)}\n\n` && f.event === f.data.type)).toBe(true);
        // fromReadableStream reads the events as JSON lines (the SSE framing is checked above).
        const final = await MessageStream.fromReadableStream(jsonLines(frames.map((f) => f.data))).finalMessage();
        // The SDK reads cache_creation and service_tier from message_start only, which streams before usage is known.
        const { cache_creation: _split, service_tier: _tier, ...counts } = message.usage;
        expect(clone(final)).toMatchObject(clone({ ...message, usage: counts }));
        expect(final.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
      }),
      { numRuns: 100 },
    );
  });

  test('an OpenAI completion answering a Messages request: text, tool_use blocks, stop reason and usage', () => {
    fc.assert(
      fc.property(anthropicMessage, (message) => {
        // Build the OpenAI answer for the same content, then show it on the Messages surface.
        const internal = anthropicMessageToResponse(message as unknown as AnthropicMessage);
        const completion = clone(chatResponseToCompletion({ ...internal, reasoning: undefined }, 'chatcmpl-x', 'gpt-4.1-mini'));
        const viaOpenAI: ChatResponse = openAICompletionToResponse(completion as never);
        const out = chatResponseToMessage(viaOpenAI, message.id, 'gpt-4.1-mini');
        expect(out.content).toEqual(message.content.filter((b) => b.type === 'text' || b.type === 'tool_use'));
        expect(out.stop_reason).toBe(message.stop_reason === 'stop_sequence' ? 'end_turn' : message.stop_reason);
        expect(out.usage.output_tokens).toBe(message.usage.output_tokens);
        expect(out.usage.cache_read_input_tokens).toBe(message.usage.cache_read_input_tokens);
        expect(out.usage.input_tokens + out.usage.cache_read_input_tokens).toBe(internal.usage.input_tokens);
      }),
      RUNS,
    );
  });
});

/** The fields a chat-completions body carries, normalised the way that format holds them. */
function openAIView(r: ChatRequest) {
  return {
    system: r.system.map((p) => p.text).join('\n\n'),
    messages: r.messages.map((m) => {
      if (m.role === 'tool') return { role: 'tool', id: m.tool_call_id, content: m.content };
      if (m.role === 'assistant') return { role: 'assistant', text: m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n'), calls: m.tool_calls ?? [] };
      return { role: 'user', content: m.content.map((p) => (p.type === 'text' ? { text: p.text } : { url: p.url })) };
    }),
    tools: r.tools?.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    tool_choice: r.tool_choice,
    sampling: r.sampling,
    user: r.user,
    response_format: r.response_format,
  };
}

/** A block as the wire holds it: a tool result's text blocks become one string (the internal tool message is text). */
function normalisedBlock(block: Record<string, unknown>): Record<string, unknown> {
  const b = JSON.parse(JSON.stringify(block)) as Record<string, unknown>;
  if (b.type === 'tool_result' && Array.isArray(b.content)) b.content = (b.content as { text: string }[]).map((p) => p.text).join('\n');
  return b;
}

/** The events Anthropic streams for a message (thinking_delta + signature_delta, text_delta, input_json_delta). */
function anthropicEvents(message: ReturnType<typeof anthropicMessage.generate>['value']): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [{ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } } }];
  message.content.forEach((block, index) => {
    const b = block as Record<string, unknown> & { type: string };
    if (b.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: b.thinking } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: b.signature } });
    } else if (b.type === 'redacted_thinking') events.push({ type: 'content_block_start', index, content_block: b });
    else if (b.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { ...b, input: {} } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: message.usage });
  events.push({ type: 'message_stop' });
  return events;
}

function jsonLines(events: unknown[]): ReadableStream {
  const bytes = new TextEncoder().encode(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

describe('across surfaces: an agent loop whose answers come from the other provider', () => {
  test('Messages client, OpenAI reasoning: shown as thinking, sent back, it is OpenAI’s reasoning again (and never reaches Anthropic)', () => {
    const part = fc.record({ text: fc.string({ maxLength: 30 }), id: fc.stringMatching(/^rs_[a-z0-9]{4,10}$/), encrypted: fc.stringMatching(/^[A-Za-z0-9+/=]{4,40}$/) });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.string({ minLength: 1, maxLength: 20 }), (parts, answer) => {
        const reasoning = parts.map((p) => ({ type: 'reasoning' as const, provider: 'openai', ...p }));
        const response: ChatResponse = {
          id: 'r',
          model: 'gpt-5.4',
          created: 0,
          content: answer,
          tool_calls: [],
          finish_reason: 'stop',
          usage: { input_tokens: 1, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0 },
          reasoning,
        };
        const message = clone(chatResponseToMessage(response, 'msg_1', 'gpt-5.4'));
        const next = toInternal({
          model: 'auto',
          max_tokens: 100,
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: message.content },
            { role: 'user', content: 'more' },
          ],
        });
        const assistant = next.messages[1];
        expect(assistant.role === 'assistant' ? assistant.reasoning : undefined).toEqual(reasoning);
        const wire = chatRequestToAnthropicParams(next, CLAUDE);
        expect(JSON.stringify(wire.messages)).not.toContain('parsimony.r1.');
      }),
      RUNS,
    );
  });

  test('Responses client, Claude answers: output items sent back as input give Anthropic the same thinking, text and tool_use blocks', async () => {
    await fc.assert(
      fc.asyncProperty(anthropicMessage, async (message) => {
        const internal = anthropicMessageToResponse(message as unknown as AnthropicMessage);
        const items = outputItems(internal, 'job_rt', true);
        const results = internal.tool_calls.map((c) => ({ type: 'function_call_output', call_id: c.id, output: 'ok' }));
        const parsed = await responsesSurface.parse(
          { model: 'claude-sonnet-4-6', input: [{ role: 'user', content: 'q' }, ...items, ...results, ...(results.length ? [] : [{ role: 'user', content: 'next' }])] },
          { tenant: 't' },
        );
        const wire = clone(chatRequestToAnthropicParams(parsed.request, CLAUDE));
        const expected = message.content.map((b) => {
          const { citations: _c, ...rest } = b as Record<string, unknown>;
          return rest;
        });
        if (expected.length) expect(wire.messages[1]).toEqual({ role: 'assistant', content: expected });
      }),
      { numRuns: 200 },
    );
  });
});
