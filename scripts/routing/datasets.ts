import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ChatMessage, ChatRequest } from '../../shared/core/chat-model';

/**
 * MMLU domains held out from training. Acceptance holds out whole domains, so
 * validation does too: these eight (a mix of maths, science, medicine, law,
 * economics and ethics; 1,806 of 6,390 rows) are never seen by route:train.
 */
export const VALIDATION_DOMAINS = [
  'college_computer_science',
  'elementary_mathematics',
  'high_school_microeconomics',
  'high_school_physics',
  'international_law',
  'moral_disputes',
  'nutrition',
  'virology',
] as const;

export const ReplayRowSchema = z.object({
  prompt: z.string(),
  weak_correct: z.boolean(),
  strong_correct: z.boolean(),
  domain: z.string().optional(),
  source: z.string().optional(),
});
export type ReplayRow = z.infer<typeof ReplayRowSchema>;

export const TaskRowSchema = z
  .object({
    prompt: z.string().optional(),
    turns: z.array(z.string()).min(1).optional(),
    category: z.string().optional(),
    task: z.string().optional(),
    /** Tier the example should get (the team's own examples). */
    tier: z.enum(['small', 'mid', 'frontier']).optional(),
    system: z.string().optional(),
    /** Tool names offered with the request (tool-selection examples). */
    tools: z.array(z.string()).optional(),
    response_format: z.enum(['json_object']).optional(),
  })
  .refine((r) => r.prompt !== undefined || r.turns !== undefined, 'needs prompt or turns');
export type TaskRow = z.infer<typeof TaskRowSchema>;

export function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      const parsed = schema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function isValidationDomain(domain: string | undefined): boolean {
  return domain !== undefined && (VALIDATION_DOMAINS as readonly string[]).includes(domain);
}

const userMsg = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });

/** A single-turn request the way the edge would build it. */
export function requestFromPrompt(prompt: string, extra: Partial<Pick<TaskRow, 'system' | 'tools' | 'response_format'>> = {}): ChatRequest {
  const request: ChatRequest = {
    model: 'auto',
    system: extra.system ? [{ type: 'text', text: extra.system }] : [],
    messages: [userMsg(prompt)],
    sampling: {},
  };
  if (extra.tools?.length) request.tools = extra.tools.map((name) => ({ name, parameters: { type: 'object', properties: {} } }));
  if (extra.response_format) request.response_format = { type: extra.response_format };
  return request;
}

/** The conversation up to user turn `upTo` (0-based); earlier assistant answers are unknown, so left empty. */
export function requestFromTurns(turns: string[], upTo: number): ChatRequest {
  const messages: ChatMessage[] = [];
  for (let i = 0; i <= upTo; i++) {
    if (i > 0) messages.push({ role: 'assistant', content: [{ type: 'text', text: '' }] });
    messages.push(userMsg(turns[i]));
  }
  return { model: 'auto', system: [], messages, sampling: {} };
}
