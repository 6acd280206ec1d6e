import type { ChatMessage, ChatRequest, ContextManagementConfig } from '../../shared/core/chat-model';
import { CLEARED_TOOL_RESULT, emulateContextManagement, nativeContextManagement } from '../../shared/levers/context/context-management';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { Catalog } from '../../shared/core/catalog/catalog';
import { stageContext } from '../compression/stage-context';
import { agentRequest, steps } from './agent-fixture';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

const catalog = Catalog.load();
const cleared = (r: ChatRequest) => r.messages.filter((m) => m.role === 'tool' && m.content === CLEARED_TOOL_RESULT).map((m) => (m as { tool_call_id: string }).tool_call_id);
const clear = (extra: Record<string, unknown> = {}): ContextManagementConfig => ({
  edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'tool_uses', value: 2 }, keep: { type: 'tool_uses', value: 2 }, ...extra }],
});

describe('context_management emulation (Anthropic semantics)', () => {
  const request = agentRequest(steps(5)); // tool uses call_0_0 … call_4_0

  it('clear_tool_uses: clears results older than the last `keep` uses once the trigger is reached', () => {
    const out = emulateContextManagement(request, clear());
    expect(cleared(out.request)).toEqual(['call_0_0', 'call_1_0', 'call_2_0']);
    expect(out.applied).toEqual([{ type: 'clear_tool_uses_20250919', cleared_tool_uses: 3, cleared_input_tokens: expect.any(Number) }]);
    expect(out.request.context_management).toBeUndefined();
    // Under the trigger nothing changes; the default trigger is 100k input tokens.
    expect(cleared(emulateContextManagement(request, clear({ trigger: { type: 'tool_uses', value: 5 } })).request)).toEqual([]);
    expect(cleared(emulateContextManagement(request, { edits: [{ type: 'clear_tool_uses_20250919' }] }).request)).toEqual([]);
  });

  it('honours exclude_tools, clear_at_least, clear_tool_inputs and results the caller marked as needed', () => {
    const named: ChatRequest = {
      ...request,
      messages: request.messages.map((m): ChatMessage => (m.role === 'assistant' && m.tool_calls?.[0]?.id === 'call_1_0' ? { ...m, tool_calls: [{ ...m.tool_calls[0], name: 'get_policy' }] } : m)),
    };
    expect(cleared(emulateContextManagement(named, clear({ exclude_tools: ['get_policy'] })).request)).toEqual(['call_0_0', 'call_2_0']);
    expect(cleared(emulateContextManagement(request, clear({ clear_at_least: { type: 'input_tokens', value: 1_000_000 } })).request)).toEqual([]);
    expect(cleared(emulateContextManagement(request, clear(), new Set(['call_0_0'])).request)).toEqual(['call_1_0', 'call_2_0']);
    const inputs = emulateContextManagement(request, clear({ clear_tool_inputs: true })).request;
    const args = inputs.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => [c.id, c.arguments]) : []));
    expect(args.filter(([, a]) => a === '{}').map(([id]) => id)).toEqual(['call_0_0', 'call_1_0', 'call_2_0']);
  });

  it('clear_thinking keeps the last `keep` turns with reasoning', () => {
    const withThinking: ChatRequest = {
      ...request,
      messages: request.messages.map((m) => (m.role === 'assistant' ? { ...m, reasoning: [{ type: 'reasoning' as const, text: 'thinking about the reservation', provider: 'openai' }] } : m)),
    };
    const out = emulateContextManagement(withThinking, { edits: [{ type: 'clear_thinking_20251015', keep: { type: 'thinking_turns', value: 2 } }] });
    expect(out.request.messages.filter((m) => m.role === 'assistant' && m.reasoning?.length)).toHaveLength(2);
    const turns = request.messages.filter((m) => m.role === 'assistant').length;
    expect(out.applied[0]).toMatchObject({ type: 'clear_thinking_20251015', cleared_thinking_turns: turns - 2 });
    expect(emulateContextManagement(withThinking, { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] }).applied).toEqual([]);
  });

  it('is forwarded natively to Anthropic models with the beta header, emulated by the stage for the others', async () => {
    const native = nativeContextManagement({ ...request, provider_headers: { anthropic: { 'anthropic-beta': 'files-api-2025-04-14' } } }, clear());
    expect(native.provider_headers?.anthropic['anthropic-beta']).toBe('files-api-2025-04-14,context-management-2025-06-27');
    const stage = new ContextCompactionStage();
    const onAnthropic = stageContext({ ...request, context_management: clear() });
    onAnthropic.model = catalog.byTier('frontier', 'anthropic')[0];
    await stage.run(onAnthropic);
    expect(onAnthropic.request.context_management).toEqual(clear());
    expect(cleared(onAnthropic.request)).toEqual([]);
    const onOpenAI = stageContext(request, 'acme', { parsimony_context_management: JSON.stringify(clear()) });
    onOpenAI.model = catalog.byTier('frontier', 'openai')[0];
    await stage.run(onOpenAI);
    expect(cleared(onOpenAI.request)).toEqual(['call_0_0', 'call_1_0', 'call_2_0']);
    expect(onOpenAI.ledger.contextTokensRemoved).toBeGreaterThan(0);
    const bad = stageContext(request, 'acme', { parsimony_context_management: '{"edits":[{"type":"nope"}]}' });
    await expect(stage.run(bad)).rejects.toMatchObject({ status: 400 });
  });
});

describe('context_management through the pipeline on an OpenAI-routed request', () => {
  let p: TestParsimony | undefined;
  beforeAll(async () => {
    p = await startTestParsimony('context-mgmt');
  }, 120_000);
  afterAll(async () => {
    await p?.close();
  });

  it('clears old tool results before the provider sees them (chat completions, metadata policy)', async () => {
    const messages: Record<string, unknown>[] = [{ role: 'user', content: 'Find me a flight from SEA to DFW next week.' }];
    for (let i = 0; i < 3; i++) {
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'search_flights', arguments: JSON.stringify({ date: `2026-12-1${i}` }) } }],
      });
      messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: JSON.stringify(Array.from({ length: 30 }, (_, k) => ({ flight: `HAT${i}${k}`, price: 100 + k, seats: k }))) });
    }
    const tools = [{ type: 'function', function: { name: 'search_flights', parameters: { type: 'object', properties: { date: { type: 'string' } } } } }];
    const body = { model: 'gpt-4.1', messages, tools };
    const policy = { edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'tool_uses', value: 1 }, keep: { type: 'tool_uses', value: 1 } }] };
    // The same request straight to the provider (simulator): what it counts when nothing is cleared.
    const plain = await fetch(`${p!.sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-provider-key' },
      body: JSON.stringify(body),
    });
    expect(plain.status).toBe(200);
    const edited = await p!.http('/v1/chat/completions', { method: 'POST', json: { ...body, metadata: { parsimony_context_management: JSON.stringify(policy) } } });
    expect(edited.status).toBe(200);
    const [a, b] = [(await plain.json()) as { usage: { prompt_tokens: number } }, await edited.json()];
    const job = await (await p!.http(`/v1/jobs/${edited.headers.get('x-parsimony-job-id')}`)).json();
    // The simulator counts what it received: two of three 30-row results are gone.
    expect(b.usage.prompt_tokens).toBeLessThan(a.usage.prompt_tokens * 0.6);
    expect(job.route.model).toBe('gpt-4.1');
    expect(job.context).toMatchObject({ context_management: 'emulated', applied_edits: [{ type: 'clear_tool_uses_20250919', cleared_tool_uses: 2 }] });
    expect(job.cost.by_lever.context).toBeGreaterThan(0);

    // (A new question: a cache hit would answer before the context stage reads the policy.)
    const invalid = await p!.http('/v1/chat/completions', {
      method: 'POST',
      json: { ...body, messages: [{ role: 'user', content: 'Which seats are left on HAT11?' }], metadata: { parsimony_context_management: 'not json' } },
    });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.message).toContain('parsimony_context_management');
  }, 60_000);

  it('honours context_management sent on /v1/messages (Anthropic SDK) for a request routed to an OpenAI model', async () => {
    type Block = Record<string, unknown>;
    const messages: { role: 'user' | 'assistant'; content: string | Block[] }[] = [{ role: 'user', content: 'Which hotels near the venue still have rooms on 2026-12-20?' }];
    for (let i = 0; i < 3; i++) {
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'search_hotels', input: { night: `2026-12-2${i}` } }] });
      messages.push({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: JSON.stringify(Array.from({ length: 30 }, (_, k) => ({ hotel: `H${i}${k}`, rooms: k, rate: 90 + k }))) }],
      });
    }
    const tools = [{ name: 'search_hotels', description: 'Hotels with free rooms', input_schema: { type: 'object' as const, properties: { night: { type: 'string' } } } }];
    const client = p!.anthropic();
    const { data, response } = await client.beta.messages
      .create({
        model: 'gpt-4.1',
        max_tokens: 200,
        tools,
        messages: messages as never,
        betas: ['context-management-2025-06-27'],
        context_management: { edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'tool_uses', value: 1 }, keep: { type: 'tool_uses', value: 1 } }] },
      })
      .withResponse();
    expect(data.type).toBe('message');
    const job = await (await p!.http(`/v1/jobs/${response.headers.get('x-parsimony-job-id')}`)).json();
    expect(job.route.provider).toBe('openai');
    expect(job.context).toMatchObject({ context_management: 'emulated', applied_edits: [{ type: 'clear_tool_uses_20250919', cleared_tool_uses: 2 }] });
    expect(job.cost.by_lever.context).toBeGreaterThan(0);
  }, 60_000);

  it('shows OpenAI automatic prefix caching as "provider caching you would have had anyway", not as a prompt_cache saving', async () => {
    const system = 'You are the booking assistant of a travel agency. Verify the traveller, quote fares exactly, confirm before booking. '.repeat(60);
    const ask = async (question: string) => {
      const res = await p!.http('/v1/chat/completions', {
        method: 'POST',
        tenant: 'globex',
        json: {
          model: 'gpt-4.1',
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: question },
          ],
        },
      });
      expect(res.status).toBe(200);
      return (await (await p!.http(`/v1/jobs/${res.headers.get('x-parsimony-job-id')}`, { tenant: 'globex' })).json()) as {
        usage: { cached_input_tokens: number };
        cost: { provider_cache_anyway_usd: number; by_lever: { prompt_cache: number } };
      };
    };
    const first = await ask('What is the baggage allowance on a basic economy fare to Lisbon?');
    expect(first.cost.provider_cache_anyway_usd).toBe(0);
    const second = await ask('Can I change the return date of booking QX7Y2 without a fee?');
    // The same system prompt sent as is: OpenAI caches it without Parsimony doing anything.
    expect(second.cost.provider_cache_anyway_usd).toBeGreaterThan(0);
    expect(second.cost.by_lever.prompt_cache).toBeLessThan(second.cost.provider_cache_anyway_usd);
    const savings = await (await p!.http('/v1/savings', { tenant: 'globex' })).json();
    expect(savings.provider_cache_anyway_usd).toBeCloseTo(second.cost.provider_cache_anyway_usd, 8);
    expect(savings.saved_usd).toBeCloseTo(savings.baseline_usd - savings.actual_usd, 8);
  }, 60_000);
});
