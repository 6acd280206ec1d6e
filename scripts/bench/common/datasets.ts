import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, shuffled } from './stats';

export interface CachePair {
  a: string;
  b: string;
  same: boolean;
}
export interface ReplayRow {
  source?: string;
  domain: string;
  prompt: string;
  weak_correct: boolean;
  strong_correct: boolean;
}
export interface TaskRow {
  category: string;
  turns: string[];
}
export interface AgentRun {
  task_id: string | number;
  trial?: number;
  messages: Record<string, unknown>[];
}

/** The dev data files under one directory (defaults: /work/shared/data via ../shared/data). */
export function dataPaths(dir: string) {
  return {
    pairs: join(dir, 'cache-pairs-dev.jsonl'),
    mmlu: join(dir, 'routing-mmlu-dev.jsonl'),
    mtbench: join(dir, 'tasks-mtbench.jsonl'),
    traces: join(dir, 'agent-traces-dev.json'),
  };
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export function readTraces(path: string): AgentRun[] {
  return JSON.parse(readFileSync(path, 'utf8')) as AgentRun[];
}

/**
 * Distinct questions for cache-miss traffic: every `a`, and the `b` of pairs
 * that do not ask the same thing (a `b` paraphrasing its `a` would be a
 * legitimate semantic hit), deduplicated case-insensitively, shuffled with `seed`.
 */
export function distinctQuestions(pairsPath: string, seed = 7): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (q: string) => {
    const k = q.trim().toLowerCase();
    if (k.length < 12 || seen.has(k)) return;
    seen.add(k);
    out.push(q.trim());
  };
  for (const p of readJsonl<CachePair>(pairsPath)) {
    add(p.a);
    if (!p.same) add(p.b);
  }
  return shuffled(out, seededRandom(seed));
}
