import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chatRequestToOpenAIBody } from '../../shared/surfaces/chat-completions/from-internal';
import { agentRequest, steps } from './agent-fixture';

const run = promisify(execFile);
const root = join(__dirname, '../..');

describe('context:eval', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'context-eval-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line with totals, long runs and both halves; facts survive masking', async () => {
    const traces = [3, 12, 12, 6].map((n, i) => {
      const request = agentRequest(steps(n));
      const body = chatRequestToOpenAIBody(request, 'gpt-4.1');
      // A final assistant answer, as in a recorded run.
      return { task_id: i, messages: [...body.messages, { role: 'assistant', content: 'Done: HAT200 on 2024-06-01.' }] };
    });
    const file = join(dir, 'traces.json');
    writeFileSync(file, JSON.stringify(traces));
    const { stdout } = await run(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/context/eval.ts'), '--traces', file, '--strategy', 'mask', '--no-cost-model', '--window', '4', '--keep', '2'],
      { cwd: root, timeout: 120_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ strategy: 'mask', window: 4, keep: 2, runs: 4, summarizer_tokens: 0 });
    // One call per assistant turn: tool-call turns, chat turns (every third step) and the final answer.
    const calls = (n: number) => n + Math.floor((n + 1) / 3) + 1;
    expect(out.calls).toBe(calls(3) + calls(12) * 2 + calls(6));
    expect(out.input_tokens_after).toBeLessThan(out.input_tokens_before);
    expect(out.net_reduction).toBeGreaterThan(0);
    expect(out.long_runs.runs).toBe(2);
    expect(out.halves.a.runs + out.halves.b.runs).toBe(4);
    expect(out.fact_retention).toBeGreaterThanOrEqual(0.95);
    expect(out.facts_checked).toBeGreaterThan(0);
    // What the user pays: four policies on the default frontier model and per provider; retention of the next call's values.
    for (const costs of [out.cost_usd, ...Object.values(out.cost_usd_by_provider)] as Record<string, number>[]) {
      expect(Object.keys(costs).sort()).toEqual(['as_sent', 'compaction_and_cache', 'compaction_only', 'model', 'prompt_cache_only']);
      expect(costs.compaction_only).toBeLessThan(costs.as_sent);
      expect(costs.prompt_cache_only).toBeLessThanOrEqual(costs.as_sent);
    }
    expect(Object.keys(out.cost_usd_by_provider).sort()).toEqual(['anthropic', 'openai']);
    expect(out.touchable_reduction).toBeGreaterThan(out.net_reduction);
    // The fixture's next calls use fresh ids (nothing to retain); the check itself is unit-tested in retention.test.ts.
    expect(typeof out.next_call_retention).toBe('number');
    expect(out.per_run).toHaveLength(4);
  });
});
