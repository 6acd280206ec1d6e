import { ApiError } from '../../core/errors/api-error';

/**
 * Anthropic's model list (`GET /v1/models` with `anthropic-version`):
 * `{ data: [{ type: "model", id, display_name, created_at }], has_more,
 * first_id, last_id }`, paged by `limit` (1–1000, default 20) and a cursor
 * `after_id` / `before_id`. Shared by Parsimony's route and the simulator.
 */
export interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export interface AnthropicModelPage {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export interface ModelPageQuery {
  limit?: string;
  after_id?: string;
  before_id?: string;
}

export function anthropicModelPage(models: AnthropicModelInfo[], query: ModelPageQuery): AnthropicModelPage {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw ApiError.invalid('limit: Input should be an integer between 1 and 1000');
  if (query.after_id && query.before_id) throw ApiError.invalid('after_id and before_id cannot both be set');
  let start = 0;
  let end = models.length;
  if (query.after_id) start = cursorIndex(models, query.after_id, 'after_id') + 1;
  if (query.before_id) end = cursorIndex(models, query.before_id, 'before_id');
  // before_id pages backwards: the `limit` models just before the cursor.
  const slice = query.before_id ? models.slice(Math.max(start, end - limit), end) : models.slice(start, Math.min(end, start + limit));
  const hasMore = query.before_id ? end - limit > start : start + limit < end;
  return { data: slice, has_more: hasMore, first_id: slice[0]?.id ?? null, last_id: slice[slice.length - 1]?.id ?? null };
}

function cursorIndex(models: AnthropicModelInfo[], id: string, name: string): number {
  const index = models.findIndex((m) => m.id === id);
  if (index < 0) throw ApiError.invalid(`${name}: unknown model id "${id}"`);
  return index;
}

/** A readable name from a model id: "claude-haiku-4-5" → "Claude Haiku 4.5", "gpt-4.1-mini" → "GPT-4.1 mini". */
export function displayName(id: string): string {
  if (id === 'auto') return 'Parsimony auto (routed per request)';
  const claude = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-(\d{8}))?$/.exec(id);
  if (claude) return `Claude ${claude[1][0].toUpperCase()}${claude[1].slice(1)} ${claude[2]}${claude[3] ? `.${claude[3]}` : ''}`;
  if (id.startsWith('gpt-')) {
    const [, version, ...rest] = id.split('-');
    return [`GPT-${version}`, ...rest].join(' ');
  }
  return id;
}
