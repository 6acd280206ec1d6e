import { generateAnswer } from '../answer';
import type { RequestContext, SimState } from '../context';
import { SimError } from '../errors';
import { sendJson } from '../http';
import { minCacheableTokens, modelLimits } from '../model-limits';
import { anthropicCacheUsage, type PromptCacheView } from '../prompt-cache';
import { randomId } from '../prng';
import { anthropicHeaders } from './headers';
import { anthropicPrompt } from './prompt';
import { streamMessage } from './stream';
import { checkThinkingSignatures, thinkingFor, type ThinkingBlock } from './thinking';
import { validateMessageBody } from './validate';

/**
 * POST /v1/messages (and count_tokens): validation, usage with prompt-cache
 * reads and writes at the cache_control breakpoints, the simulated answer as
 * text or tool_use blocks, and the `message` object — or its SSE stream.
 */

export type ContentBlock = ThinkingBlock | { type: 'text'; text: string; citations: null } | { type: 'tool_use'; id: string; name: string; input: unknown };

export interface MessageUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard' | 'batch';
  server_tool_use: null;
  inference_geo: null;
  output_tokens_details: { thinking_tokens: number } | null;
  speed: null;
}

export interface MessageObject {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stop_sequence: string | null;
  usage: MessageUsage;
  container: null;
  stop_details: null;
}

/** One message; a batch passes its own view of the prompt cache (see BatchCacheView). */
export function runMessage(sim: SimState, raw: unknown, batch: boolean, cacheView: PromptCacheView = sim.promptCache): MessageObject {
  const body = validateMessageBody(raw);
  checkThinkingSignatures(body.messages);
  const { prompt, blocks, inputTokens } = anthropicPrompt(body);
  const window = modelLimits(body.model)?.contextWindow;
  if (window && inputTokens > window) throw new SimError(400, `prompt is too long: ${inputTokens} tokens > ${window} maximum`);
  const cache = anthropicCacheUsage(cacheView, body.model, blocks, minCacheableTokens(body.model));
  const written = cache.write5m + cache.write1h;
  const answer = generateAnswer(prompt);

  let content: ContentBlock[];
  let stopReason: MessageObject['stop_reason'];
  let stopSequence: string | null = null;
  if (answer.kind === 'tool') {
    let input: unknown = {};
    try {
      input = JSON.parse(answer.arguments);
    } catch {
      // Truncated by max_tokens: the real API returns the partial input it managed to parse.
    }
    content = [{ type: 'tool_use', id: randomId('toolu_01', 22), name: answer.name, input }];
    stopReason = answer.finish === 'length' ? 'max_tokens' : 'tool_use';
  } else {
    content = [{ type: 'text', text: answer.text, citations: null }];
    stopReason = answer.finish === 'length' ? 'max_tokens' : answer.finish === 'stop_sequence' ? 'stop_sequence' : 'end_turn';
    stopSequence = answer.stopSequence ?? null;
  }
  const thinking = thinkingFor(body, prompt.seedText);
  if (thinking) content.unshift(thinking.block);
  const outputTokens = answer.outputTokens + (thinking?.tokens ?? 0);
  const usage: MessageUsage = {
    input_tokens: inputTokens - cache.read - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cache.read,
    cache_creation: { ephemeral_5m_input_tokens: cache.write5m, ephemeral_1h_input_tokens: cache.write1h },
    output_tokens: outputTokens,
    service_tier: batch ? 'batch' : 'standard',
    server_tool_use: null,
    inference_geo: null,
    output_tokens_details: thinking ? { thinking_tokens: thinking.tokens } : null,
    speed: null,
  };
  sim.stats.call('message', body.model, { input: inputTokens, output: outputTokens, cachedRead: cache.read, cacheWrite: written }, batch);
  return {
    id: randomId('msg_01', 22),
    type: 'message',
    role: 'assistant',
    model: body.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    usage,
    container: null,
    stop_details: null,
  };
}

export async function handleMessages(ctx: RequestContext): Promise<void> {
  const message = runMessage(ctx.sim, ctx.body, false);
  const answer = ctx.answerOverride;
  const thinking = message.content.filter((b) => b.type === 'thinking');
  if (answer && 'content' in answer) Object.assign(message, { content: [...thinking, { type: 'text', text: answer.content, citations: null }], stop_reason: 'end_turn', stop_sequence: null });
  // tool_use input must be an object on this wire format: arguments that are not a JSON object arrive as {}.
  if (answer && 'tool_call' in answer)
    Object.assign(message, {
      content: [...thinking, { type: 'tool_use', id: randomId('toolu_01', 22), name: answer.tool_call.name, input: objectOr(answer.tool_call.arguments) }],
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
  if (ctx.body.stream === true) {
    await streamMessage(ctx, message, anthropicHeaders(ctx.requestId));
    return;
  }
  sendJson(ctx.res, 200, message, anthropicHeaders(ctx.requestId));
}

/** POST /v1/messages/count_tokens: the same count, without max_tokens. */
export function handleCountTokens(ctx: RequestContext): void {
  const body = { max_tokens: 1, ...(ctx.body ?? {}) };
  delete body.stream;
  const { inputTokens } = anthropicPrompt(validateMessageBody(body));
  sendJson(ctx.res, 200, { input_tokens: inputTokens }, anthropicHeaders(ctx.requestId));
}

function objectOr(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
