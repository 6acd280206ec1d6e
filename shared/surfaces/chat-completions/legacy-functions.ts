/**
 * Answers for callers that used the deprecated `functions` / `function_call`
 * request fields: OpenAI answers those with `message.function_call` (one
 * call) and finish reason `function_call`, not `tool_calls`, and old clients
 * read only that. Applied to the encoded objects, so the rest of the
 * surface stays on tools.
 */

/** The JobOptions.surface_echo flag a chat request with `functions` carries. */
export const LEGACY_FUNCTIONS_ECHO = 'legacy_functions';

type Json = Record<string, unknown>;

/** A `chat.completion` in the legacy shape: each choice's first tool call as `function_call`. */
export function toLegacyFunctionCompletion<T extends { choices: unknown[] }>(completion: T): T {
  for (const choice of completion.choices as Json[]) {
    const message = choice.message as Json;
    const calls = message.tool_calls as { function: { name: string; arguments: string } }[] | undefined;
    if (calls?.length) {
      message.function_call = { name: calls[0].function.name, arguments: calls[0].function.arguments };
      delete message.tool_calls;
    }
    if (choice.finish_reason === 'tool_calls') choice.finish_reason = 'function_call';
  }
  return completion;
}

/** A `chat.completion.chunk` in the legacy shape: the first tool call's deltas as `delta.function_call`. */
export function toLegacyFunctionChunk(chunk: Json): Json {
  for (const choice of (chunk.choices as Json[] | undefined) ?? []) {
    const delta = choice.delta as Json | undefined;
    const calls = delta?.tool_calls as { index: number; function?: { name?: string; arguments?: string } }[] | undefined;
    if (delta && calls) {
      const first = calls.find((c) => c.index === 0);
      if (first?.function) delta.function_call = { ...(first.function.name !== undefined ? { name: first.function.name } : {}), arguments: first.function.arguments ?? '' };
      delete delta.tool_calls;
    }
    if (choice.finish_reason === 'tool_calls') choice.finish_reason = 'function_call';
  }
  return chunk;
}
