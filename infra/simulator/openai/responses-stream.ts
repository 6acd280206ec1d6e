import type { RequestContext } from '../context';
import { SseWriter } from '../sse';
import { streamFragments } from '../stream-fragments';
import type { ChatBody } from './chat-validate';

/**
 * Streams a finished Response as the real API does: `event:` + `data:` lines,
 * every event with its sequence_number — response.created and in_progress
 * (status in_progress, no output), then per output item output_item.added,
 * its parts / summaries with their deltas and .done events, output_item.done,
 * and response.completed (or response.incomplete) with the whole response.
 */
export async function streamResponse(ctx: RequestContext, response: ChatBody, headers: Record<string, string>): Promise<void> {
  const sse = new SseWriter(ctx.res, ctx.sim.chunkDelayMs);
  sse.start(headers);
  let sequence = 0;
  const emit = (type: string, fields: ChatBody) => sse.event(type, { type, sequence_number: sequence++, ...fields });
  const pending = { ...response, status: 'in_progress', output: [], usage: null, completed_at: null, incomplete_details: null };
  await emit('response.created', { response: pending });
  await emit('response.in_progress', { response: pending });

  for (const [output_index, item] of (response.output as ChatBody[]).entries()) {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      await emit('response.output_item.added', { output_index, item: { ...item, summary: [] } });
      for (const [summary_index, part] of (item.summary as ChatBody[]).entries()) {
        await emit('response.reasoning_summary_part.added', { item_id, output_index, summary_index, part: { type: 'summary_text', text: '' } });
        for (const delta of streamFragments(part.text)) await emit('response.reasoning_summary_text.delta', { item_id, output_index, summary_index, delta, obfuscation: 'x' });
        await emit('response.reasoning_summary_text.done', { item_id, output_index, summary_index, text: part.text });
        await emit('response.reasoning_summary_part.done', { item_id, output_index, summary_index, part });
      }
    } else if (item.type === 'message') {
      await emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      for (const [content_index, part] of (item.content as ChatBody[]).entries()) {
        await emit('response.content_part.added', { item_id, output_index, content_index, part: { ...part, text: '' } });
        for (const delta of streamFragments(part.text)) await emit('response.output_text.delta', { item_id, output_index, content_index, delta, logprobs: [] });
        await emit('response.output_text.done', { item_id, output_index, content_index, text: part.text, logprobs: [] });
        await emit('response.content_part.done', { item_id, output_index, content_index, part });
      }
    } else if (item.type === 'function_call') {
      await emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of streamFragments(item.arguments)) await emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      await emit('response.function_call_arguments.done', { item_id, output_index, name: item.name, arguments: item.arguments });
    }
    await emit('response.output_item.done', { output_index, item });
  }
  await emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  sse.end();
}
