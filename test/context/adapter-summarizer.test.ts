import { startSimulator, type Simulator } from '../../infra/simulator/server';
import { Catalog } from '../../shared/core/catalog/catalog';
import { ContextCompactionStage } from '../../shared/levers/context/compaction-stage';
import { AdapterSummarizer, smallTierSummarizer, SUMMARY_INSTRUCTIONS } from '../../shared/levers/context/summarizer';
import { createLogger } from '../../shared/platform/logging/logger';
import { OpenAIAdapter } from '../../shared/providers/openai/adapter';
import { stageContext } from '../compression/stage-context';
import { agentRequest, steps } from './agent-fixture';

const catalog = Catalog.load();
const log = createLogger({ service: 'test', level: 'silent' });
let sim: Simulator;
let adapter: OpenAIAdapter;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, logger: log });
  adapter = new OpenAIAdapter({ apiKey: 'sk-test', baseURL: `${sim.url}/v1` }, log);
}, 120_000);
afterAll(async () => {
  await sim.close();
});

describe('AdapterSummarizer over the OpenAI adapter (simulator)', () => {
  it('summarises a transcript with the small-tier model and reports usage', async () => {
    const model = catalog.byTier('small', 'openai')[0];
    const summarizer = new AdapterSummarizer(adapter, model, { maxTokens: 120 });
    const result = await summarizer.summarize({ messages: agentRequest(steps(3)).messages, instructions: SUMMARY_INSTRUCTIONS });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.input_tokens).toBeGreaterThan(100);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    expect(result.model.id).toBe(model.id);
  });

  it('drives the stage end to end and charges the summary to the job', async () => {
    const summarizer = smallTierSummarizer(
      catalog,
      () => adapter,
      (p) => p === 'openai',
    );
    expect(summarizer).toBeDefined();
    const ctx = stageContext(agentRequest(steps(6)));
    await new ContextCompactionStage({ summarizer, config: { strategy: 'summarize', window: 4, keep: 2 } }).run(ctx);
    const note = ctx.annotations.context as { compacted_cycles: number; summarizer: { usd: number; model: string } };
    expect(note.compacted_cycles).toBe(4);
    expect(note.summarizer.model).toBe(catalog.byTier('small', 'openai')[0].id);
    expect(note.summarizer.usd).toBeGreaterThan(0);
    const cost = ctx.ledger.price(catalog, catalog.get('gpt-4.1'), { input_tokens: 500, output_tokens: 10, cached_input_tokens: 0, cache_write_tokens: 0 });
    expect(cost.overhead_usd).toBeCloseTo(note.summarizer.usd, 8);
  });

  it('picks no summariser when no provider is configured', () => {
    expect(
      smallTierSummarizer(
        catalog,
        () => adapter,
        () => false,
      ),
    ).toBeUndefined();
  });
});
