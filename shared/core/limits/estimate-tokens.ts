/**
 * Tokens a request will use, estimated at admission before any tokenizer
 * runs: the characters of its messages (and tools) / 4, plus the output
 * tokens it asks for (max_tokens / max_completion_tokens), the way provider
 * TPM limits count. Works for a chat body and for a job envelope
 * (`{ request: <chat body> }`); other bodies count their JSON size / 4.
 */
export function estimateRequestTokens(body: unknown): number {
  if (!body || typeof body !== 'object') return 0;
  const record = body as Record<string, unknown>;
  const chat = (record.request && typeof record.request === 'object' ? record.request : record) as Record<string, unknown>;
  let chars: number;
  if (Array.isArray(chat.messages)) chars = textLength(chat.messages) + (chat.tools ? textLength(chat.tools) : 0) + (typeof chat.system === 'string' ? chat.system.length : 0);
  else chars = JSON.stringify(record).length;
  const maxOut = [chat.max_completion_tokens, chat.max_tokens].find((v): v is number => typeof v === 'number' && v > 0) ?? 0;
  return Math.ceil(chars / 4) + maxOut;
}

/** Characters of every string inside `value` (message text, tool arguments, schemas). */
function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + textLength(item), 0);
  return 0;
}
