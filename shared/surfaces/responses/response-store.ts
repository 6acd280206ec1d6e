import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { InputItem } from './request-schema';

/**
 * Stored Responses (`store: true`, the default, as on OpenAI), per tenant in
 * Redis with a retention: what GET /v1/responses/:id returns, the input items
 * GET /v1/responses/:id/input_items lists, and the conversation a later
 * request continues with previous_response_id. The key holds the tenant, so
 * another tenant's id simply is not there (404, never 403).
 */
export interface StoredResponse {
  /** The Response object as the caller got it. */
  response: Record<string, unknown> & { id: string };
  /** Every input item of this response, in order: the items it continued (previous_response_id) and its own. */
  input: StoredItem[];
  /** The output items with everything replaying needs (encrypted reasoning included), for the next turn. */
  output: InputItem[];
}

export type StoredItem = InputItem & { id: string };

/** Looks up a tenant's stored response (what parsing a body with previous_response_id needs). */
export interface PreviousResponseLookup {
  get(tenant: string, id: string): Promise<StoredResponse | undefined>;
  /** Output items of stored responses by item id (what `item_reference` input items point at); undefined where unknown. */
  getItems(tenant: string, ids: string[]): Promise<(InputItem | undefined)[]>;
}

export class ResponseStore implements PreviousResponseLookup {
  constructor(
    private readonly redis: Pick<Redis, 'get' | 'set' | 'del' | 'mget' | 'multi'>,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {}

  /** Stores the response and indexes its output items by id (clients such as the AI SDK send them back as item_reference). */
  async save(tenant: string, entry: StoredResponse): Promise<void> {
    const tx = this.redis.multi().set(this.key(tenant, entry.response.id), JSON.stringify(entry), 'EX', this.retentionSeconds);
    for (const item of entry.output) if (typeof item.id === 'string' && item.id) tx.set(this.itemKey(tenant, item.id), JSON.stringify(item), 'EX', this.retentionSeconds);
    await tx.exec();
  }

  async getItems(tenant: string, ids: string[]): Promise<(InputItem | undefined)[]> {
    if (!ids.length) return [];
    const raw = await this.redis.mget(...ids.map((id) => this.itemKey(tenant, id)));
    return raw.map((r) => (r ? (JSON.parse(r) as InputItem) : undefined));
  }

  async get(tenant: string, id: string): Promise<StoredResponse | undefined> {
    const raw = await this.redis.get(this.key(tenant, id));
    return raw ? (JSON.parse(raw) as StoredResponse) : undefined;
  }

  /** Whether it existed. */
  async delete(tenant: string, id: string): Promise<boolean> {
    return (await this.redis.del(this.key(tenant, id))) > 0;
  }

  private itemKey(tenant: string, id: string): string {
    return `${this.prefix}:response-item:${tenant}:${id}`;
  }

  private key(tenant: string, id: string): string {
    return `${this.prefix}:response:${tenant}:${id}`;
  }
}

/** Input items as OpenAI lists them: each with an id, message content as parts. */
export function withItemIds(items: InputItem[]): StoredItem[] {
  return items.map((item) => {
    const type = item.type ?? 'message';
    const withType = { ...item, type } as InputItem;
    if (type === 'message' && 'content' in item && typeof item.content === 'string') {
      const role = (item as { role: string }).role;
      (withType as { content: unknown }).content = [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: item.content }];
    }
    const id = typeof item.id === 'string' && item.id ? item.id : newItemId(type);
    return { ...withType, id } as StoredItem;
  });
}

function newItemId(type: string): string {
  const prefix = type === 'message' ? 'msg' : type === 'function_call' ? 'fc' : type === 'function_call_output' ? 'fco' : type === 'reasoning' ? 'rs' : 'item';
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** One page of input items in OpenAI's list shape (`order` desc by default, `after` an item id). */
export function pageOfItems(items: StoredItem[], options: { after?: string; limit: number; order: 'asc' | 'desc' }) {
  const ordered = options.order === 'asc' ? items : [...items].reverse();
  const start = options.after ? ordered.findIndex((i) => i.id === options.after) + 1 : 0;
  const data = ordered.slice(start, start + options.limit);
  return { object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: start + options.limit < ordered.length };
}
