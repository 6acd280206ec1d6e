import type { MessageCreateParamsBase as BetaMessageCreateParamsBase } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import type { MESSAGES_BODY_SHAPE } from './request-schema';

/**
 * What Parsimony does with each field of the Messages API request, for every
 * field the installed `@anthropic-ai/sdk` declares (its beta namespace
 * included). The record is typed by the SDK's keys, so upgrading the SDK to
 * one with a new field fails the build here until the field is decided.
 *
 * - honoured: mapped into the internal model, so every model (OpenAI too) gets it.
 * - translated: mapped into the internal model with a documented approximation.
 * - forwarded: only Anthropic has it: sent verbatim when the request goes to
 *   Anthropic (`provider_options.anthropic`), left out for other providers.
 * - refused: a 400 naming the field and saying why (when set and not null).
 */
export type FieldKind = 'honoured' | 'translated' | 'forwarded' | 'refused';
export type MessagesSdkField = keyof MessageCreateParamsBase | keyof BetaMessageCreateParamsBase;

/** Fields Parsimony accepts although the installed SDK no longer declares them (older clients still send them). */
type LegacyField = 'temperature' | 'top_p' | 'top_k' | 'parsimony';

export const FIELD_HANDLING: Record<MessagesSdkField | LegacyField, { kind: FieldKind; why?: string }> = {
  model: { kind: 'honoured' },
  messages: { kind: 'honoured' },
  max_tokens: { kind: 'honoured' },
  system: { kind: 'honoured' },
  stop_sequences: { kind: 'honoured' },
  stream: { kind: 'honoured' },
  temperature: { kind: 'honoured' },
  top_p: { kind: 'honoured' },
  top_k: { kind: 'forwarded', why: 'OpenAI has no top_k' },
  tools: { kind: 'honoured' },
  tool_choice: { kind: 'honoured' },
  thinking: { kind: 'translated', why: 'budget_tokens → reasoning effort for OpenAI models' },
  metadata: { kind: 'honoured' },
  service_tier: { kind: 'translated', why: 'auto → auto, standard_only → default' },
  output_config: { kind: 'translated', why: 'effort → reasoning effort, format → response_format for OpenAI models' },
  output_format: { kind: 'translated', why: 'the beta structured-output format → response_format json_schema' },
  context_management: { kind: 'honoured', why: "native on Anthropic models, applied by Parsimony's context lever on the others" },
  betas: { kind: 'forwarded', why: 'sent as the anthropic-beta header' },
  cache_control: { kind: 'forwarded', why: 'OpenAI caches prompts automatically' },
  container: { kind: 'forwarded' },
  diagnostics: { kind: 'forwarded' },
  inference_geo: { kind: 'forwarded' },
  speed: { kind: 'forwarded' },
  user_profile_id: { kind: 'forwarded' },
  workspace_id: { kind: 'forwarded' },
  billing_policy: { kind: 'forwarded' },
  fallbacks: { kind: 'forwarded' },
  fallback_credit_token: { kind: 'forwarded' },
  mcp_servers: {
    kind: 'refused',
    why: 'MCP connector tools run on Anthropic’s side and their results cannot be carried to other models; expose the MCP server’s tools to your agent as client tools',
  },
  compaction: {
    kind: 'refused',
    why: 'a compaction request returns a compaction block no other model understands; use context_management (Parsimony applies it on every model)',
  },
  thread: {
    kind: 'refused',
    why: 'server-held threads pin a conversation to one Anthropic model while Parsimony routes every turn; send the whole conversation in messages',
  },
  parsimony: { kind: 'honoured', why: "Parsimony's own hints (task, tier bounds, cache); never sent to a provider" },
};

/** Fields of the request sent to Anthropic verbatim (provider_options.anthropic). */
export const FORWARDED_FIELDS = Object.entries(FIELD_HANDLING)
  .filter(([field, h]) => h.kind === 'forwarded' && field !== 'betas')
  .map(([field]) => field);

// Compile-time check: the body schema has an entry for every SDK field (MessageCreateParams and the beta one).
type MissingFromSchema = Exclude<MessagesSdkField, keyof typeof MESSAGES_BODY_SHAPE>;
const schemaCoversSdk: [MissingFromSchema] extends [never] ? true : MissingFromSchema = true;
void schemaCoversSdk;

/** Why a content block kind cannot be carried (the internal model has no such part, or only Anthropic can run it). */
export function refusedBlockMessage(type: string): string {
  if (type === 'document') return 'document blocks are not supported by Parsimony yet: send the document text as a text block';
  if (type === 'search_result') return 'search_result blocks are not supported by Parsimony yet: send the result as a text block';
  if (/tool_use$|tool_result$|^container_upload$|^compaction$/.test(type)) return `${type} blocks belong to Anthropic's server tools, which Parsimony does not run`;
  return `unknown content block type "${type}": expected text, image, tool_use, tool_result, thinking or redacted_thinking`;
}

/** Why a tool type is refused: server tools run on Anthropic's side, where a routed request may not go. */
export function refusedToolMessage(type: string): string {
  return `tool type "${type}" is an Anthropic server tool; Parsimony runs client tools only (no type, or type "custom"), because a routed request may be answered by another provider`;
}
