import fc from 'fast-check';

/**
 * fast-check generators of Messages API bodies and Anthropic messages, in
 * the forms Anthropic itself accepts and returns (roles alternate, a user
 * turn's tool_result blocks come first and answer the previous turn's
 * tool_use blocks, thinking comes first in an assistant turn, texts are not
 * empty). Shared by the round-trip property tests.
 */

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,?!'-]{0,30}$/);
export const text = fc.oneof(
  word,
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0),
);
const id = fc.stringMatching(/^[a-z0-9]{6,12}$/);
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const jsonValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
export const toolInput = fc.dictionary(key, jsonValue, { maxKeys: 4 });
const cacheControl = fc.option(fc.record({ type: fc.constant('ephemeral' as const), ttl: fc.constantFrom('5m' as const, '1h' as const) }, { requiredKeys: ['type'] }), { nil: undefined });
const base64 = fc.stringMatching(/^[A-Za-z0-9+/]{4,40}={0,2}$/);
const signature = fc.stringMatching(/^[A-Za-z0-9+/]{8,40}$/);

const textBlock = fc.record({ type: fc.constant('text' as const), text, cache_control: cacheControl }, { requiredKeys: ['type', 'text'] });
const imageBlock = fc.oneof(
  fc.record({ type: fc.constant('image' as const), source: fc.record({ type: fc.constant('base64' as const), media_type: fc.constantFrom('image/png', 'image/jpeg', 'image/webp'), data: base64 }) }),
  fc.record({ type: fc.constant('image' as const), source: fc.record({ type: fc.constant('url' as const), url: fc.webUrl({ withQueryParameters: false, withFragments: false }) }) }),
);
const thinkingBlock = fc.oneof(fc.record({ type: fc.constant('thinking' as const), thinking: text, signature }), fc.record({ type: fc.constant('redacted_thinking' as const), data: base64 }));
const toolUse = (name: string) => fc.record({ type: fc.constant('tool_use' as const), id: id.map((s) => `toolu_${s}`), name: fc.constant(name), input: toolInput });

export const TOOL_NAMES = ['get_weather', 'search_docs', 'send_email'] as const;
const toolName = fc.constantFrom(...TOOL_NAMES);

export type Block = Record<string, unknown> & { type: string };
export interface Turn {
  role: 'user' | 'assistant';
  content: string | Block[];
}

const userBlocks = fc.array(fc.oneof({ weight: 3, arbitrary: textBlock }, { weight: 1, arbitrary: imageBlock }), { minLength: 1, maxLength: 3 });
const assistantTurn = fc
  .tuple(fc.array(thinkingBlock, { maxLength: 2 }), fc.option(textBlock, { nil: undefined }), fc.array(toolName.chain(toolUse), { maxLength: 2 }))
  .filter(([, t, calls]) => t !== undefined || calls.length > 0)
  .map(([thinking, t, calls]): Block[] => [...thinking, ...(t ? [t] : []), ...calls]);
const toolResultContent = fc.oneof(text, fc.array(fc.record({ type: fc.constant('text' as const), text }), { minLength: 1, maxLength: 2 }));

/** A conversation: user first, roles alternating, every tool_use answered by a tool_result in the next user turn. */
export const conversation = fc.tuple(fc.oneof(text, userBlocks), fc.array(fc.tuple(assistantTurn, userBlocks, toolResultContent, fc.boolean()), { maxLength: 3 })).map(([first, rounds]) => {
  const turns: Turn[] = [{ role: 'user', content: first as string | Block[] }];
  for (const [assistant, user, result, isError] of rounds) {
    turns.push({ role: 'assistant', content: assistant });
    const results: Block[] = assistant.filter((b) => b.type === 'tool_use').map((b) => ({ type: 'tool_result', tool_use_id: b.id, content: result, ...(isError ? { is_error: true } : {}) }));
    turns.push({ role: 'user', content: [...results, ...(user as Block[])] });
  }
  return turns;
});

const tool = toolName.chain((name) =>
  fc.record(
    {
      name: fc.constant(name),
      description: text,
      input_schema: fc.record({ type: fc.constant('object'), properties: fc.dictionary(key, fc.record({ type: fc.constantFrom('string', 'integer', 'boolean') }), { maxKeys: 3 }) }),
      cache_control: cacheControl,
    },
    { requiredKeys: ['name', 'input_schema'] },
  ),
);

const thinkingConfig = fc.oneof(
  fc.record({ type: fc.constant('enabled' as const), budget_tokens: fc.integer({ min: 1024, max: 4000 }) }),
  fc.record({ type: fc.constant('disabled' as const) }),
  fc.record({ type: fc.constant('adaptive' as const) }),
  fc.record({ type: fc.constant('enabled' as const), budget_tokens: fc.integer({ min: 1024, max: 4000 }), display: fc.constantFrom('summarized' as const, 'omitted' as const) }),
);

/** A whole request body (tools are always declared, so every generated tool_use names a known tool). */
export const messagesBody = fc
  .record(
    {
      messages: conversation,
      system: fc.oneof(text, fc.array(textBlock, { minLength: 1, maxLength: 2 })),
      tools: fc.uniqueArray(tool, { minLength: TOOL_NAMES.length, maxLength: TOOL_NAMES.length, selector: (t) => t.name }),
      tool_choice: fc.oneof(
        fc.record({ type: fc.constantFrom('auto' as const, 'any' as const) }),
        fc.record({ type: fc.constant('tool' as const), name: toolName }),
        fc.record({ type: fc.constantFrom('auto' as const, 'any' as const), disable_parallel_tool_use: fc.constant(true) }),
        fc.record({ type: fc.constant('none' as const) }),
      ),
      stop_sequences: fc.array(word, { minLength: 1, maxLength: 2 }),
      // Anthropic's current models take temperature or top_p, not both (the adapter keeps temperature).
      sampling: fc.oneof(fc.record({ temperature: fc.double({ min: 0, max: 1, noNaN: true }) }), fc.record({ top_p: fc.double({ min: 0, max: 1, noNaN: true }) })),
      thinking: thinkingConfig,
      metadata: fc.record({ user_id: id }),
      service_tier: fc.constantFrom('auto' as const, 'standard_only' as const),
      output_config: fc.record({ effort: fc.constantFrom('low' as const, 'high' as const, 'max' as const) }),
      top_k: fc.integer({ min: 1, max: 50 }),
      inference_geo: fc.constantFrom('us', 'eu'),
      context_management: fc.constant({ edits: [{ type: 'clear_tool_uses_20250919', keep: { type: 'tool_uses', value: 2 } }] }),
    },
    { requiredKeys: ['messages', 'tools'] },
  )
  .map(({ sampling, ...rest }) => ({ model: 'claude-sonnet-4-6', max_tokens: 8000, ...rest, ...(sampling ?? {}) }));

/** An Anthropic `Message` as the API returns it (one text block: several are joined into one by design). */
export const anthropicMessage = fc
  .record({
    thinking: fc.array(thinkingBlock, { maxLength: 2 }),
    text: fc.option(text, { nil: undefined }),
    calls: fc.array(toolName.chain(toolUse), { maxLength: 2 }),
    truncated: fc.boolean(),
    otherStop: fc.constantFrom('end_turn', 'stop_sequence', 'refusal'),
    stopSequence: word,
    input: fc.nat({ max: 5000 }),
    read: fc.nat({ max: 5000 }),
    write5m: fc.nat({ max: 2000 }),
    write1h: fc.nat({ max: 2000 }),
    output: fc.nat({ max: 2000 }),
    tier: fc.constantFrom('standard' as const, 'priority' as const, 'batch' as const),
  })
  .map((m) => {
    const stop = m.truncated ? 'max_tokens' : m.calls.length ? 'tool_use' : m.otherStop;
    const content = [...m.thinking, ...(m.text !== undefined ? [{ type: 'text', text: m.text, citations: null }] : []), ...m.calls];
    return {
      id: 'msg_test',
      type: 'message' as const,
      role: 'assistant' as const,
      model: 'claude-sonnet-4-6',
      content,
      stop_reason: stop,
      stop_sequence: stop === 'stop_sequence' ? m.stopSequence : null,
      usage: {
        input_tokens: m.input,
        cache_creation_input_tokens: m.write5m + m.write1h,
        cache_read_input_tokens: m.read,
        cache_creation: { ephemeral_5m_input_tokens: m.write5m, ephemeral_1h_input_tokens: m.write1h },
        output_tokens: m.output,
        service_tier: m.tier,
      },
    };
  });
