import type { RequestContext } from '../context';
import { SseWriter } from '../sse';
import { streamFragments } from '../stream-fragments';
import type { ChatCompletion } from './chat';
import { tokenLogprobs } from './chat-reasoning';

/**
 * Streams a finished completion as the real API does: a first chunk with the
 * role (and, for a tool call, id/type/name with empty arguments), content or
 * argument fragments, a chunk with finish_reason and an empty delta, then,
 * with include_usage, a final chunk with empty choices and the usage; every
 * earlier chunk then carries `usage: null`. Ends with `data: [DONE]`.
 */
export async function streamCompletion(ctx: RequestContext, completion: ChatCompletion, includeUsage: boolean, headers: Record<string, string>): Promise<void> {
  const sse = new SseWriter(ctx.res, ctx.sim.chunkDelayMs);
  sse.start(headers);
  const chunk = (index: number, delta: Record<string, unknown>, finish: string | null, logprobs: unknown = null) => {
    const out: Record<string, unknown> = {
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      service_tier: completion.service_tier,
      system_fingerprint: completion.system_fingerprint,
      choices: [{ index, delta, logprobs, finish_reason: finish }],
    };
    if (includeUsage) out.usage = null;
    return out;
  };

  for (const choice of completion.choices) {
    const { message, index } = choice;
    const call = message.tool_calls?.[0];
    if (call) {
      await sse.data(
        chunk(index, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }], refusal: null }, null),
      );
      for (const part of streamFragments(call.function.arguments)) await sse.data(chunk(index, { tool_calls: [{ index: 0, function: { arguments: part } }] }, null));
    } else {
      await sse.data(chunk(index, { role: 'assistant', content: '', refusal: null }, null));
      // With logprobs asked for, each content delta carries the logprobs of its own tokens.
      const top = choice.logprobs?.content[0]?.top_logprobs.length ?? 0;
      for (const part of streamFragments(message.content ?? '')) await sse.data(chunk(index, { content: part }, null, choice.logprobs ? { content: tokenLogprobs(part, top), refusal: null } : null));
    }
    await sse.data(chunk(index, {}, choice.finish_reason));
  }
  if (includeUsage) {
    await sse.data({
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      service_tier: completion.service_tier,
      system_fingerprint: completion.system_fingerprint,
      choices: [],
      usage: completion.usage,
    });
  }
  await sse.raw('data: [DONE]\n\n');
  sse.end();
}
