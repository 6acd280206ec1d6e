import type { RequestContext } from '../context';
import { SseWriter } from '../sse';
import { streamFragments } from '../stream-fragments';
import type { MessageObject } from './messages';

/**
 * Streams a finished message with the real event sequence: message_start
 * (usage with output_tokens 1), per block content_block_start /
 * content_block_delta (thinking_delta + signature_delta, text_delta or
 * input_json_delta) / content_block_stop,
 * a ping after the first block starts, message_delta (stop_reason and the
 * cumulative usage), message_stop.
 */
export async function streamMessage(ctx: RequestContext, message: MessageObject, headers: Record<string, string>): Promise<void> {
  const sse = new SseWriter(ctx.res, ctx.sim.chunkDelayMs);
  sse.start(headers);
  await sse.event('message_start', {
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  for (let index = 0; index < message.content.length; index++) {
    const block = message.content[index];
    if (block.type === 'thinking') {
      await sse.event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      if (index === 0) await sse.event('ping', { type: 'ping' });
      for (const thinking of streamFragments(block.thinking)) await sse.event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
      await sse.event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'text') {
      await sse.event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) await sse.event('ping', { type: 'ping' });
      for (const text of streamFragments(block.text)) await sse.event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    } else {
      await sse.event('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      if (index === 0) await sse.event('ping', { type: 'ping' });
      const json = JSON.stringify(block.input);
      for (const partial_json of ['', ...streamFragments(json)]) await sse.event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
    }
    await sse.event('content_block_stop', { type: 'content_block_stop', index });
  }
  const u = message.usage;
  await sse.event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
    usage: {
      input_tokens: u.input_tokens,
      cache_creation_input_tokens: u.cache_creation_input_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens,
      output_tokens: u.output_tokens,
      server_tool_use: null,
    },
  });
  await sse.event('message_stop', { type: 'message_stop' });
  sse.end();
}
