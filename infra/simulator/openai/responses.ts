import { generateAnswer } from '../answer';
import type { RequestContext, SimState } from '../context';
import { SimError, invalidParam } from '../errors';
import { intParam, sendJson } from '../http';
import { openAICachedTokens } from '../prompt-cache';
import { Rng, nowSeconds, randomHex, seedOf } from '../prng';
import { prose } from '../words';

import { openAIPrompt } from './chat-prompt';
import type { ChatBody } from './chat-validate';
import { openAIHeaders } from './headers';
import { responsesToChat, validateResponsesBody } from './responses-input';
import { streamResponse } from './responses-stream';

/**
 * POST /v1/responses and the stored-response endpoints (GET / DELETE
 * /v1/responses/:id, GET /v1/responses/:id/input_items): the simulated model
 * answers a Responses request with message, function_call and (for reasoning
 * models) reasoning items, reasoning tokens in the usage, and stores it
 * (store defaults to true) so previous_response_id continues it.
 */

interface StoredSimResponse {
  response: ChatBody;
  /** Every input item of the response, with ids (earlier turns first). */
  input: ChatBody[];
}

const MAX_STORED = 10_000;
const stores = new WeakMap<SimState, Map<string, StoredSimResponse>>();
function storeOf(sim: SimState): Map<string, StoredSimResponse> {
  let store = stores.get(sim);
  if (!store) stores.set(sim, (store = new Map()));
  return store;
}

/** o-series and gpt-5 models reason; the chat-tuned gpt-5 aliases do not. */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model) && !/chat-latest$/.test(model);
}

const EFFORT_TOKENS: Record<string, number> = { none: 0, minimal: 16, low: 96, medium: 256, high: 640, xhigh: 1280, max: 2048 };

function defaultEffort(model: string): string {
  // gpt-5.1 and later default to no reasoning; gpt-5 and the o-series to medium.
  return /^gpt-5\.\d/.test(model) ? 'none' : 'medium';
}

export function runResponse(sim: SimState, raw: unknown): { body: ChatBody; response: ChatBody; input: ChatBody[] } {
  const body = validateResponsesBody(raw);
  const store = storeOf(sim);
  let history: ChatBody[] = [];
  if (body.previous_response_id != null) {
    const previous = store.get(String(body.previous_response_id));
    if (!previous) throw invalidParam(`Previous response with id '${body.previous_response_id}' not found.`, 'previous_response_id', 'previous_response_not_found');
    history = [...previous.input, ...previous.response.output];
  }
  const own = resolveReferences(store, typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : (body.input ?? []));
  const chat = responsesToChat({ ...body, input: own }, history);
  if (!chat.messages.length) throw invalidParam("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const { prompt, promptTokens, segments } = openAIPrompt(chat);
  const cached = openAICachedTokens(sim.promptCache, { model: body.model, cacheKey: body.prompt_cache_key ?? undefined, segments, promptTokens });
  const answer = generateAnswer(prompt);
  const id = randomHex('resp_', 48);
  const output: ChatBody[] = [];

  let reasoningTokens = 0;
  if (isReasoningModel(body.model)) {
    const effort = body.reasoning?.effort ?? defaultEffort(body.model);
    reasoningTokens = EFFORT_TOKENS[effort] === 0 ? 0 : (EFFORT_TOKENS[effort] ?? 256) + (seedOf(prompt.seedText) % 64);
    if (reasoningTokens > 0) {
      const wantsSummary = body.reasoning?.summary != null || body.reasoning?.generate_summary != null;
      const item: ChatBody = {
        id: randomHex('rs_', 48),
        type: 'reasoning',
        summary: wantsSummary ? [{ type: 'summary_text', text: `**Planning the answer**\n\n${prose(new Rng(seedOf(prompt.seedText)), 20)}` }] : [],
      };
      if (Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content')) item.encrypted_content = Buffer.from(`sim-reasoning:${id}:${reasoningTokens}`).toString('base64');
      output.push(item);
    }
  }
  if (answer.kind === 'tool') {
    output.push({ id: randomHex('fc_', 48), type: 'function_call', status: 'completed', arguments: answer.arguments, call_id: randomHex('call_', 24), name: answer.name });
  } else {
    output.push({
      id: randomHex('msg_', 48),
      type: 'message',
      status: answer.finish === 'length' ? 'incomplete' : 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }],
    });
  }
  const outputTokens = answer.outputTokens + reasoningTokens;
  const incomplete = answer.finish === 'length';
  const created = nowSeconds();
  const response: ChatBody = {
    id,
    object: 'response',
    created_at: created,
    status: incomplete ? 'incomplete' : 'completed',
    background: false,
    completed_at: created,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: isReasoningModel(body.model) ? (body.reasoning?.effort ?? defaultEffort(body.model)) : null, summary: body.reasoning?.summary ?? null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: body.text?.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: {
      input_tokens: promptTokens,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: reasoningTokens },
      total_tokens: promptTokens + outputTokens,
    },
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
  const input = [...history, ...own].map(withId);
  if (response.store) {
    if (store.size >= MAX_STORED) store.delete(store.keys().next().value as string);
    store.set(id, { response, input });
  }
  sim.stats.call('responses', body.model, { input: promptTokens, output: outputTokens, cachedRead: cached, cacheWrite: 0 }, false);
  return { body, response, input };
}

export async function handleCreateResponse(ctx: RequestContext): Promise<void> {
  const started = Date.now();
  const { body, response } = runResponse(ctx.sim, ctx.body);
  const headers = openAIHeaders(ctx.requestId, started);
  if (body.stream === true) return streamResponse(ctx, response, headers);
  sendJson(ctx.res, 200, response, headers);
}

export function handleRetrieveResponse(ctx: RequestContext): void {
  sendJson(ctx.res, 200, stored(ctx).response);
}

export function handleDeleteResponse(ctx: RequestContext): void {
  const entry = stored(ctx);
  storeOf(ctx.sim).delete(entry.response.id);
  sendJson(ctx.res, 200, { id: entry.response.id, object: 'response', deleted: true });
}

export function handleListInputItems(ctx: RequestContext): void {
  const entry = stored(ctx);
  const limit = intParam(ctx.query.get('limit'), 20, 1, 100, 'limit');
  const order = ctx.query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalidParam(`Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, 'order', 'invalid_value');
  const ordered = order === 'asc' ? entry.input : [...entry.input].reverse();
  const after = ctx.query.get('after');
  const start = after ? ordered.findIndex((i) => i.id === after) + 1 : 0;
  const data = ordered.slice(start, start + limit);
  sendJson(ctx.res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: start + limit < ordered.length });
}

function stored(ctx: RequestContext): StoredSimResponse {
  const entry = storeOf(ctx.sim).get(ctx.params.id);
  if (!entry) throw new SimError(404, `Response with id '${ctx.params.id}' not found.`, { param: null, code: null, type: 'invalid_request_error' });
  return entry;
}

function resolveReferences(store: Map<string, StoredSimResponse>, items: ChatBody[]): ChatBody[] {
  return items.map((item, i) => {
    if (item?.type !== 'item_reference') return item;
    for (const entry of store.values()) {
      const found = entry.response.output.find((o: ChatBody) => o.id === item.id) ?? entry.input.find((o) => o.id === item.id);
      if (found) return found;
    }
    throw invalidParam(`Item with id '${item.id}' not found.`, `input[${i}]`, 'invalid_value');
  });
}

function withId(item: ChatBody): ChatBody {
  if (item.id) return item;
  const type = item.type ?? 'message';
  const prefix = type === 'message' ? 'msg_' : type === 'function_call_output' ? 'fco_' : type === 'function_call' ? 'fc_' : 'rs_';
  const content = type === 'message' && typeof item.content === 'string' ? [{ type: 'input_text', text: item.content }] : item.content;
  return { ...item, type, ...(content !== undefined ? { content } : {}), id: randomHex(prefix, 48) };
}
