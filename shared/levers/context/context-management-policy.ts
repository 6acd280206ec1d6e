import type { ContextManagementConfig } from '../../core/chat-model';
import { ApiError } from '../../core/errors/api-error';
import type { PipelineContext } from '../../core/stage';
import type { CompactionPolicy } from './context-config';
import { ContextManagementSchema } from './context-management';

/** Metadata keys chat completions and /v1/responses use for what /v1/messages has as fields (metadata values are strings). */
export const CONTEXT_MANAGEMENT_METADATA_KEY = 'parsimony_context_management';
export const KEEP_TOOL_RESULTS_METADATA_KEY = 'parsimony_keep_tool_results';

/**
 * The context-editing policy for a job, first found of: the request's own
 * `context_management` (the messages surface), `metadata.parsimony_context_management`
 * (JSON), the tenant/agent policy (PARSIMONY_CONTEXT_POLICY). A malformed
 * metadata policy is the caller's error (400), never silently ignored.
 */
export function resolveContextManagement(ctx: PipelineContext, policy: CompactionPolicy): ContextManagementConfig | undefined {
  if (ctx.request.context_management) return ctx.request.context_management;
  const raw = ctx.job.options.metadata?.[CONTEXT_MANAGEMENT_METADATA_KEY];
  if (raw !== undefined) {
    let value: unknown = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        throw ApiError.invalid(`metadata.${CONTEXT_MANAGEMENT_METADATA_KEY} must be JSON (Anthropic's context_management shape)`);
      }
    }
    const parsed = ContextManagementSchema.safeParse(value);
    if (!parsed.success) throw ApiError.invalid(`metadata.${CONTEXT_MANAGEMENT_METADATA_KEY}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return parsed.data as ContextManagementConfig;
  }
  return policy.context_management;
}

/**
 * Tool results the caller marked as needed (kept raw by every edit and by the
 * lever's own compaction): `metadata.parsimony_keep_tool_results`, a JSON
 * array of tool call ids or a comma-separated list.
 */
export function keptToolResults(ctx: PipelineContext): Set<string> {
  const raw = ctx.job.options.metadata?.[KEEP_TOOL_RESULTS_METADATA_KEY];
  if (raw === undefined) return new Set();
  if (Array.isArray(raw)) return new Set(raw.map(String));
  if (typeof raw !== 'string') throw ApiError.invalid(`metadata.${KEEP_TOOL_RESULTS_METADATA_KEY} must be a list of tool call ids`);
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const ids = JSON.parse(text) as unknown;
      if (Array.isArray(ids)) return new Set(ids.map(String));
    } catch {
      /* falls through to the error */
    }
    throw ApiError.invalid(`metadata.${KEEP_TOOL_RESULTS_METADATA_KEY} must be a JSON array of tool call ids or a comma-separated list`);
  }
  return new Set(
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}
