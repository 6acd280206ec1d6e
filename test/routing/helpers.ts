import type { ChatRequest } from '../../shared/core/chat-model';

/** A one-turn request as the edge would build it. */
export function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'auto', system: [], messages: [{ role: 'user', content: [{ type: 'text', text }] }], sampling: {}, ...extra };
}

export const EASY = 'Classify the sentiment of this review as positive or negative: "Arrived quickly, works great."';
export const PLAN = 'Plan a three-week product launch for a new budgeting app, with milestones, owners, risks and a rollback plan.';
export const PROOF = 'Prove that there are infinitely many primes, and then explain step by step why the same argument fails for primes of the form 4k+1.';
