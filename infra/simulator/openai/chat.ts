import { createHash } from 'node:crypto';
import { generateAnswer, type SimAnswer } from '../answer';
import type { RequestContext, SimState } from '../context';
import { sendJson } from '../http';
import { openAICachedTokens, type PromptCacheView } from '../prompt-cache';
import { nowSeconds, randomId } from '../prng';
import { openAIPrompt } from './chat-prompt';
import { checkContextWindow, validateChatBody, type ChatBody } from './chat-validate';
import { streamCompletion } from './chat-stream';
import { openAIHeaders } from './headers';
import { countTokens } from '../tokens';
import type { AnswerOverride } from '../faults';
import { logprobsFor, reasoningTokens, validateReasoningParams, type TokenLogprob } from './chat-reasoning';
import { SimError } from '../errors';

/**
 * POST /v1/chat/completions: validation, usage (with prompt caching), the
 * simulated answer, and the `chat.completion` object — or its SSE stream.
 */

const DAY_MS = 24 * 60 * 60_000;

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; refusal: null; annotations: unknown[]; tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[] };
    logprobs: { content: TokenLogprob[]; refusal: null } | null;
    finish_reason: 'stop' | 'length' | 'tool_calls';
  }[];
  usage: ChatUsage;
  service_tier: string;
  system_fingerprint: string;
}

/**
 * Runs one chat completion (validation errors throw SimError). Shared by the
 * endpoint and batches; a batch passes its own view of the prompt cache (see
 * BatchCacheView). `tier`: the service tier that answered ("default" or "flex").
 */
export function runChat(sim: SimState, raw: unknown, batch: boolean, cache: PromptCacheView = sim.promptCache, tier = 'default'): { body: ChatBody; completion: ChatCompletion } {
  const body = validateChatBody(raw);
  validateReasoningParams(body);
  const { prompt, promptTokens, segments } = openAIPrompt(body);
  checkContextWindow(body.model, promptTokens, prompt.maxTokens);
  const cached = openAICachedTokens(cache, {
    model: body.model,
    cacheKey: body.prompt_cache_key,
    segments,
    promptTokens,
    ttlMs: body.prompt_cache_retention === '24h' ? DAY_MS : undefined,
  });
  const n = body.n ?? 1;
  const forced = typeof body.tool_choice === 'object' && body.tool_choice !== null;
  const choices = Array.from({ length: n }, (_, index) => toChoice(generateAnswer({ ...prompt, variant: (prompt.variant ?? 0) + index }), index, forced));
  if (body.logprobs === true) for (const { choice } of choices) if (choice.message.content !== null) choice.logprobs = logprobsFor(choice.message.content, body.top_logprobs ?? 0);
  // A reasoning model thinks before each choice; those tokens are part of completion_tokens (billed as output).
  const reasoning = choices.reduce((sum, c, index) => sum + reasoningTokens(body, c.tokens, index), 0);
  const completionTokens = choices.reduce((sum, c) => sum + c.tokens, 0) + reasoning;
  const completion: ChatCompletion = {
    id: randomId('chatcmpl-', 29),
    object: 'chat.completion',
    created: nowSeconds(),
    model: body.model,
    choices: choices.map((c) => c.choice),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: batch ? 'batch' : tier,
    system_fingerprint: fingerprint(body.model),
  };
  sim.stats.call('chat', body.model, { input: promptTokens, output: completionTokens, cachedRead: cached, cacheWrite: 0 }, batch);
  return { body, completion };
}

function toChoice(answer: SimAnswer, index: number, forcedTool: boolean): { choice: ChatCompletion['choices'][number]; tokens: number } {
  if (answer.kind === 'tool') {
    const call = { id: randomId('call_', 24), type: 'function' as const, function: { name: answer.name, arguments: answer.arguments } };
    // Quirk of the real API: a tool forced by tool_choice ends with "stop", not "tool_calls".
    const finish = answer.finish === 'length' ? 'length' : forcedTool ? 'stop' : 'tool_calls';
    return {
      choice: { index, message: { role: 'assistant', content: null, tool_calls: [call], refusal: null, annotations: [] }, logprobs: null, finish_reason: finish },
      tokens: answer.outputTokens,
    };
  }
  const finish = answer.finish === 'length' ? 'length' : 'stop';
  return { choice: { index, message: { role: 'assistant', content: answer.text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finish }, tokens: answer.outputTokens };
}

/** A fault rule's replacement answer in every choice (the usage's completion tokens follow it). */
export function overrideAnswer(completion: ChatCompletion, answer: AnswerOverride): void {
  const text = 'content' in answer ? answer.content : answer.tool_call.arguments;
  for (const choice of completion.choices) {
    choice.message =
      'content' in answer
        ? { role: 'assistant', content: answer.content, refusal: null, annotations: [] }
        : { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [{ id: randomId('call_', 24), type: 'function', function: answer.tool_call }] };
    choice.finish_reason = 'content' in answer ? 'stop' : 'tool_calls';
  }
  const tokens = countTokens(text) * completion.choices.length + completion.usage.completion_tokens_details.reasoning_tokens;
  completion.usage.completion_tokens = tokens;
  completion.usage.total_tokens = completion.usage.prompt_tokens + tokens;
}

const fingerprints = new Map<string, string>();

/** A stable system_fingerprint per model, like a deployment's. */
function fingerprint(model: string): string {
  let fp = fingerprints.get(model);
  if (!fp) {
    fp = `fp_${createHash('sha1').update(model).digest('hex').slice(0, 10)}`;
    if (fingerprints.size < 1000) fingerprints.set(model, fp);
  }
  return fp;
}

export async function handleChat(ctx: RequestContext): Promise<void> {
  const started = Date.now();
  const flex = (ctx.body as { service_tier?: unknown } | undefined)?.service_tier === 'flex';
  if (!flex) return answerChat(ctx, started, 'default');
  // Flex: refused with a 429 when out of capacity (as OpenAI answers), slower otherwise.
  if (!ctx.sim.tiers.admitFlex()) {
    ctx.sim.stats.flexRefused();
    throw new SimError(429, 'Resource Unavailable: there is not enough flex processing capacity to serve this request right now. Please retry later, or use the default service tier.', {
      code: 'resource_unavailable',
    });
  }
  try {
    if (ctx.sim.tiers.flexLatencyMs > 0) await new Promise((r) => setTimeout(r, ctx.sim.tiers.flexLatencyMs));
    await answerChat(ctx, started, 'flex');
    ctx.sim.stats.flexAnswered();
  } finally {
    ctx.sim.tiers.releaseFlex();
  }
}

async function answerChat(ctx: RequestContext, started: number, tier: string): Promise<void> {
  const { body, completion } = runChat(ctx.sim, ctx.body, false, ctx.sim.promptCache, tier);
  if (ctx.answerOverride) overrideAnswer(completion, ctx.answerOverride);
  const headers = openAIHeaders(ctx.requestId, started);
  if (body.stream) {
    await streamCompletion(ctx, completion, body.stream_options?.include_usage === true, headers);
    return;
  }
  sendJson(ctx.res, 200, completion, headers);
}
