import * as OpenAISdk from 'openai';
import * as AnthropicSdk from '@anthropic-ai/sdk';
import { ProviderError } from '../../shared/core/errors/provider-error';
import { openAIErrorToProviderError } from '../../shared/providers/openai/errors';
import { anthropicErrorToProviderError } from '../../shared/providers/anthropic/errors';

/** Real SDK error objects, built the way the SDKs build them from a response. */
describe('SDK errors → ProviderError', () => {
  test('OpenAI 429 keeps the provider message and retry-after', () => {
    const err = OpenAISdk.APIError.generate(
      429,
      { error: { message: 'Rate limit reached for gpt-4.1', type: 'requests', code: 'rate_limit_exceeded' } },
      undefined,
      new Headers({ 'retry-after': '2' }),
    );
    const p = openAIErrorToProviderError(err);
    expect(p).toBeInstanceOf(ProviderError);
    expect(p).toMatchObject({ provider: 'openai', status: 429, message: 'Rate limit reached for gpt-4.1', retryable: true, retryAfterMs: 2000 });
  });

  test('OpenAI 400 is not retryable; retry-after-ms wins over retry-after', () => {
    const err = OpenAISdk.APIError.generate(
      400,
      { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } },
      undefined,
      new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }),
    );
    expect(openAIErrorToProviderError(err)).toMatchObject({ status: 400, retryable: false, message: "Invalid value for 'temperature'", retryAfterMs: 150 });
  });

  test('OpenAI error inside a stream (no status) gets a status from its type', () => {
    const err = new OpenAISdk.APIError(undefined, { message: 'The server had an error', type: 'server_error' }, undefined, undefined);
    expect(openAIErrorToProviderError(err)).toMatchObject({ status: 500, retryable: true, message: 'The server had an error' });
  });

  test('Anthropic 529 overloaded and a stream error event', () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' };
    expect(anthropicErrorToProviderError(AnthropicSdk.APIError.generate(529, body, undefined, new Headers()))).toMatchObject({
      provider: 'anthropic',
      status: 529,
      message: 'Overloaded',
      retryable: true,
    });
    const inStream = new AnthropicSdk.APIError(undefined, body, undefined, new Headers(), 'overloaded_error');
    expect(anthropicErrorToProviderError(inStream)).toMatchObject({ status: 529, retryable: true, message: 'Overloaded' });
  });

  test('connection errors, timeouts and aborts', () => {
    const refused = new OpenAISdk.APIConnectionError({ cause: Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }) });
    expect(openAIErrorToProviderError(refused)).toMatchObject({ status: 0, retryable: true, message: 'connection failed: fetch failed: connect ECONNREFUSED 127.0.0.1:9' });
    expect(anthropicErrorToProviderError(new AnthropicSdk.APIConnectionTimeoutError())).toMatchObject({ status: 0, retryable: true, message: 'request timed out' });
    expect(openAIErrorToProviderError(new OpenAISdk.APIUserAbortError())).toMatchObject({ status: 499, retryable: false });
    expect(anthropicErrorToProviderError(new AnthropicSdk.APIUserAbortError())).toMatchObject({ status: 499, retryable: false });
  });

  test('SDK-side refusals are not retryable; unknown errors are connection-like; ProviderErrors pass through', () => {
    expect(anthropicErrorToProviderError(new AnthropicSdk.AnthropicError('Streaming is required'))).toMatchObject({ status: 400, retryable: false });
    expect(openAIErrorToProviderError(new Error('socket hang up'))).toMatchObject({ status: 0, retryable: true, message: 'socket hang up' });
    const same = new ProviderError('openai', 418, 'teapot');
    expect(openAIErrorToProviderError(same)).toBe(same);
  });
});
