import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../core/chat-model';

/**
 * OpenAI `prompt_cache_key` for a request: one per tenant and stable prefix
 * (system prompt + tool definitions), so requests sharing a prefix are routed
 * to the same cache shard and tenants never share one. 32 hex chars after a
 * short tag keep it well under the provider's length limit.
 */
export function openAIPromptCacheKey(tenant: string, request: Pick<ChatRequest, 'system' | 'tools'>): string {
  const hash = createHash('sha256')
    .update(tenant)
    .update('\u0000')
    .update(request.system.map((p) => p.text).join('\n\n'))
    .update('\u0000')
    .update(JSON.stringify((request.tools ?? []).map((t) => [t.name, t.description ?? '', t.parameters])))
    .digest('hex');
  return `pcy-${hash.slice(0, 32)}`;
}
