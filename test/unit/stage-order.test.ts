import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';

/**
 * The levers run in the design's order (shared/pipeline/build-pipeline.ts):
 * validate → route → baseline prompt cache → semantic cache → context
 * hygiene → compression → prompt-cache marks → defer to batch → execute.
 * Reordering them changes what each lever sees and what the waterfall
 * credits, so the order is pinned here.
 */
let p: TestParsimony;

beforeAll(async () => {
  p = await startTestParsimony('stage-order');
}, 120_000);

afterAll(async () => {
  await p?.close();
});

test('the pipeline of every process runs the stages in the design order', () => {
  for (const platform of [p.app.httpPlatform, p.app.workerPlatform]) {
    const { pipeline, validate } = platform.pipeline(1);
    expect(validate.name).toBe('validate');
    expect(pipeline.stages.map((s) => s.name)).toEqual(['validate', 'route', 'baseline_cache', 'cache', 'context', 'compression', 'prompt_cache', 'defer', 'execute']);
  }
});
