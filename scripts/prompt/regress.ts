/**
 * Regression gate for a compressed prompt.
 *
 *   npm run prompt:regress -- --original A --compressed B --cases CASES.jsonl
 *                             [--base-url URL --model M] [--threshold 0.9]
 *
 * CASES.jsonl: one case per line, `{ "input": "user text" }` or
 * `{ "messages": [ …OpenAI messages without the system prompt… ] }`.
 * Both prompts run over every case (temperature 0, fixed seed) through an
 * OpenAI-compatible endpoint with the official `openai` SDK — by default the
 * in-process simulator. Prints one JSON line: agreement (exact / JSON-equal /
 * similarity), token savings, and both SHA-256s — the report a variant needs
 * to be registered (POST /v1/prompts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { compareAnswers } from '../../shared/levers/compression/agreement';
import { sha256Hex } from '../../shared/levers/compression/prompt-hash';
import { createLogger } from '../../shared/platform/logging/logger';

type Message = { role: 'user' | 'assistant'; content: string };

function readCases(path: string): Message[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const c = JSON.parse(line) as { input?: string; messages?: Message[] };
      if (c.messages?.length) return c.messages;
      if (typeof c.input === 'string') return [{ role: 'user', content: c.input }];
      throw new Error(`case ${i + 1}: needs "input" or "messages"`);
    });
}

async function startDefaultSimulator(): Promise<{ url: string; close(): Promise<void> | void }> {
  const path = join(__dirname, '../../infra/simulator/server.ts');
  if (!existsSync(path)) throw new Error('no --base-url given and infra/simulator/server.ts is not in this tree');
  const { startSimulator } = (await import(path)) as { startSimulator(o: { port: number; logger?: unknown }): Promise<{ url: string; close(): Promise<void> | void }> };
  return startSimulator({ port: 0, logger: createLogger({ service: 'simulator', level: 'silent' }) });
}

async function main() {
  const { values } = parseArgs({
    options: {
      original: { type: 'string' },
      compressed: { type: 'string' },
      cases: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string', default: 'gpt-4.1-mini' },
      threshold: { type: 'string', default: '0.9' },
      'max-tokens': { type: 'string', default: '512' },
    },
  });
  if (!values.original || !values.compressed || !values.cases) throw new Error('usage: --original A --compressed B --cases CASES.jsonl [--base-url URL --model M]');
  const original = readFileSync(values.original, 'utf8');
  const compressed = readFileSync(values.compressed, 'utf8');
  const cases = readCases(values.cases);
  const threshold = Number(values.threshold);

  const sim = values['base-url'] ? undefined : await startDefaultSimulator();
  const baseURL = values['base-url'] ?? `${sim!.url}/v1`;
  const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-regress', baseURL, maxRetries: 2 });
  const model = values.model!;
  const ask = async (system: string, messages: Message[]) => {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'system', content: system }, ...messages],
      temperature: 0,
      seed: 7,
      max_completion_tokens: Number(values['max-tokens']),
    });
    return { text: r.choices[0]?.message.content ?? '', promptTokens: r.usage?.prompt_tokens ?? 0 };
  };

  let exact = 0;
  let jsonCases = 0;
  let jsonEqual = 0;
  let similarity = 0;
  let agree = 0;
  let tokOriginal = 0;
  let tokCompressed = 0;
  const disagreements: { case: number; similarity: number }[] = [];
  try {
    for (const [i, messages] of cases.entries()) {
      const [a, b] = await Promise.all([ask(original, messages), ask(compressed, messages)]);
      tokOriginal += a.promptTokens;
      tokCompressed += b.promptTokens;
      const cmp = compareAnswers(a.text, b.text, threshold);
      if (cmp.exact) exact++;
      if (cmp.jsonEqual !== null) {
        jsonCases++;
        if (cmp.jsonEqual) jsonEqual++;
      }
      similarity += cmp.similarity;
      if (cmp.agree) agree++;
      else disagreements.push({ case: i + 1, similarity: Math.round(cmp.similarity * 1000) / 1000 });
    }
  } finally {
    await sim?.close();
  }
  const n = cases.length;
  const r = (x: number) => Math.round(x * 10000) / 10000;
  process.stdout.write(
    `${JSON.stringify({
      cases: n,
      model,
      base_url: values['base-url'] ?? 'simulator',
      original_sha256: sha256Hex(original),
      compressed_sha256: sha256Hex(compressed),
      agreement: r(agree / n),
      exact: r(exact / n),
      json_equal: jsonCases ? r(jsonEqual / jsonCases) : null,
      similarity: r(similarity / n),
      similarity_threshold: threshold,
      tokens: { original: tokOriginal, compressed: tokCompressed, saved: tokOriginal - tokCompressed, saved_pct: tokOriginal ? r((tokOriginal - tokCompressed) / tokOriginal) : 0 },
      disagreements: disagreements.slice(0, 20),
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
