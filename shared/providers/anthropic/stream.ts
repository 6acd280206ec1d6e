import type { StreamEvent } from '../../core/chat-model';
import { AnthropicStreamDecoder } from './stream-decoder';
import type { AnthropicStreamEvent } from './wire-types';
import { ProviderError } from '../../core/errors/provider-error';
import { PROVIDER_NAME } from './errors';

/**
 * Runs Anthropic's streaming events through AnthropicStreamDecoder. A stream
 * that ends without `message_stop` was cut off: ProviderError with status 0
 * (retryable), never a truncated `done`.
 */
export async function* anthropicStreamEvents(events: AsyncIterable<AnthropicStreamEvent | { type: string }>): AsyncGenerator<StreamEvent> {
  const decoder = new AnthropicStreamDecoder();
  for await (const event of events) {
    yield* decoder.push(event);
    if (decoder.done) return;
  }
  throw new ProviderError(PROVIDER_NAME, 0, 'stream ended before message_stop');
}
