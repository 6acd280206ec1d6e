import type { ChatMessage } from '../../core/chat-model';
import { collectIdentifiers, extractIdentifiers, isIdentifierLike } from './identifiers';

/**
 * A deterministic "facts ledger" of compacted messages: the tool calls made
 * (name + arguments) and the identifier-like values of their results (ids,
 * codes, numbers, amounts, dates), rendered compactly. It rides next to the
 * model's prose summary (or inside a mask placeholder), so the exact values
 * an agent reuses later survive compaction whatever the summariser writes.
 * Same input → same bytes, which keeps the compacted prefix cacheable.
 */

export interface FactsOptions {
  /**
   * `ids`: keep only identifier-like values (and all numbers) with their keys.
   * `values`: also keep short plain strings (names, statuses, cabin classes).
   * `compact`: only the identifier-like values, in order, each once per
   * ledger, without keys — about a third of `ids`, but a bag of values.
   * Default `ids`.
   */
  detail?: 'ids' | 'values' | 'compact';
  /** Strings up to this length are kept whole in `values` mode; default 32. */
  maxStringLength?: number;
}

interface Ctx {
  detail: 'ids' | 'values' | 'compact';
  maxString: number;
}

/** Facts of one tool output (JSON or text), or '' when it holds none. */
export function toolOutputFacts(content: string, options: FactsOptions = {}): string {
  const ctx: Ctx = { detail: options.detail ?? 'ids', maxString: options.maxStringLength ?? 32 };
  const trimmed = content.trim();
  if (ctx.detail === 'compact') return compactFacts(content);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return renderValue(JSON.parse(trimmed), ctx);
    } catch {
      // not JSON after all: fall through to plain text
    }
  }
  return extractIdentifiers(content).join(' ');
}

// String values an agent passes on verbatim although they are not identifier-like: names (first_name, name, …) and
// snake_case enums (one_way, basic_economy) — the next-call check of the eval found these lost by the ids alone.
const NAMED_VALUE = /"[A-Za-z_]*name"\s*:\s*"([^"\\]{1,40})"/g;
const ENUM_VALUE = /:\s*"([a-z]+(?:_[a-z0-9]+)+)"/g;

/** `compact` facts: the identifier-like values, then names and snake_case enum values, each once, in order. */
function compactFacts(content: string): string {
  const out = extractIdentifiers(content);
  const seen = new Set(out);
  for (const re of [NAMED_VALUE, ENUM_VALUE])
    for (const m of content.matchAll(re)) {
      const v = m[1].trim();
      if (v && !seen.has(v)) {
        seen.add(v);
        out.push(/\s/.test(v) ? JSON.stringify(v) : v);
      }
    }
  return out.join(' ');
}

/** The call as `name(k=v, …)`, arguments kept whole (they are the agent's own decisions). */
export function toolCallFacts(name: string, args: string): string {
  try {
    const parsed: unknown = JSON.parse(args || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      // Long free-text arguments (a "thought") are left to the summary; their ids stay.
      const text = (v: string) => (v.length <= 80 ? v : `"${extractIdentifiers(v).join(' ')}"`);
      const parts = Object.entries(parsed as Record<string, unknown>).map(([k, v]) => `${k}=${typeof v === 'string' ? text(v) : JSON.stringify(v)}`);
      return `${name}(${parts.join(', ')})`;
    }
  } catch {
    // arguments that are not JSON are kept verbatim
  }
  return `${name}(${args})`;
}

/** Ledger lines for a span of messages: one per tool call with its result, ids of text turns. */
export function buildFactsLedger(messages: readonly ChatMessage[], options: FactsOptions = {}): string[] {
  const lines: string[] = [];
  const seenResults = new Map<string, number>();
  // Ids already in the ledger: a text turn that merely mentions them again adds nothing.
  const mentioned = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'tool') continue;
    const text = m.content
      .filter((p) => p.type === 'text')
      .map((p) => (p as { text: string }).text)
      .join('\n');
    const ids = extractIdentifiers(text).filter((id) => !mentioned.has(id));
    if (ids.length) {
      lines.push(`${m.role}: ${ids.join(' ')}`);
      for (const id of ids) mentioned.add(id);
    }
    if (m.role !== 'assistant' || !m.tool_calls) continue;
    // Results are paired with their call by position in the run that follows it: some clients reuse call ids across turns.
    const results = new Map<string, string>();
    for (let j = i + 1; j < messages.length; j++) {
      const r = messages[j];
      if (r.role !== 'tool') break;
      if (!results.has(r.tool_call_id)) results.set(r.tool_call_id, r.content);
    }
    for (const call of m.tool_calls) {
      const output = results.get(call.id);
      let line = toolCallFacts(call.name, call.arguments);
      if (output !== undefined) {
        let facts = toolOutputFacts(output, options);
        if (options.detail === 'compact') {
          const own = new Set(extractIdentifiers(line));
          facts = facts
            .split(' ')
            .filter((id) => id && !mentioned.has(id) && !own.has(id))
            .join(' ');
        }
        const earlier = facts.length > 40 ? seenResults.get(facts) : undefined;
        if (earlier !== undefined) line += ` → same as #${earlier}`;
        else if (facts) line += ` → ${facts}`;
        else if (output.trim()) line += ` → ${output.length} chars, no ${options.detail === 'compact' ? 'new ' : ''}ids`;
        // A call with no ids in or out (an empty "think") tells the next step nothing.
        else if (extractIdentifiers(line).length === 0) continue;
        else line += ' → (empty)';
        if (earlier === undefined && facts.length > 40) seenResults.set(facts, lines.length + 1);
      }
      lines.push(line);
      collectIdentifiers(line, mentioned);
    }
  }
  return lines.map((l, i) => `#${i + 1} ${l}`);
}

function renderValue(value: unknown, ctx: Ctx): string {
  if (Array.isArray(value)) return renderArray(value, ctx);
  if (value && typeof value === 'object') return renderRecord(value as Record<string, unknown>, ctx);
  return scalar(value, ctx) ?? '';
}

/** `key=value` pairs of one object; nested scalar objects as `parent.key`, arrays inline. */
function renderRecord(record: Record<string, unknown>, ctx: Ctx, prefix = '', ownerId?: string): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(record)) {
    const name = prefix + key;
    if (Array.isArray(v)) {
      const inner = renderArray(v, ctx);
      if (inner) parts.push(`${name}=[${inner}]`);
    } else if (v && typeof v === 'object') {
      if (isIdentifierLike(key)) {
        // An entry of a map keyed by ids (payment_methods: { gift_card_1: {...} }): `gift_card_1(amount=280)`.
        const inner = renderRecord(v as Record<string, unknown>, ctx, '', key);
        parts.push(inner ? `${key}(${inner})` : key);
      } else {
        const inner = renderRecord(v as Record<string, unknown>, ctx, `${name}.`);
        if (inner) parts.push(inner);
      }
    } else {
      // The entry's own id repeated inside it adds nothing.
      if (v === ownerId) continue;
      const s = scalar(v, ctx);
      if (s !== undefined) parts.push(`${name}=${s}`);
    }
  }
  return parts.join(' ');
}

/** Arrays of same-shaped objects become a table (`{a,b}: 1,2 | 3,4`); others a `|`-separated list. */
function renderArray(items: unknown[], ctx: Ctx): string {
  if (items.length > 1 && items.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
    const rows = items.map((x) => flatPairs(x as Record<string, unknown>, ctx));
    const header = rows[0].map(([k]) => k).join(',');
    // Values are space-separated: commas between numbers would read as thousands separators.
    if (header && rows.every((r) => r.map(([k]) => k).join(',') === header)) return `{${header}}: ${dedupe(rows.map((r) => r.map(([, v]) => v).join(' '))).join(' | ')}`;
  }
  // Arrays of same-shaped tables (one-stop itineraries: [[leg, leg], …]) share one header.
  if (items.length > 1 && items.every((x) => Array.isArray(x))) {
    const tables = items.map((x) => renderArray(x as unknown[], ctx));
    const header = tables[0].startsWith('{') ? tables[0].slice(0, tables[0].indexOf('}: ') + 3) : '';
    if (header.length > 3 && tables.every((t) => t.startsWith(header))) {
      const groups = tables.map((t) => t.slice(header.length).split(' | '));
      const rows = dedupe(groups.flat());
      const firstCells = rows.map((r) => r.split(' ')[0]);
      // Legs shared by several groups are listed once; groups then name their rows by the first cell (an id).
      if (rows.length < groups.flat().length && new Set(firstCells).size === rows.length && firstCells.every(isIdentifierLike))
        return `${header}${rows.join(' | ')} ; groups=${dedupe(groups.map((g) => g.map((r) => r.split(' ')[0]).join('+'))).join(' ')}`;
      return header + dedupe(groups.map((g) => g.join(' ; '))).join(' | ');
    }
  }
  const rendered = items.map((x) => renderValue(x, ctx)).filter((s) => s !== '');
  return dedupe(rendered).join(' | ');
}

/** Scalar leaves of an object, flattened with dotted keys; undefined when a leaf is an array. */
function flatPairs(record: Record<string, unknown>, ctx: Ctx, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, v] of Object.entries(record)) {
    if (Array.isArray(v)) {
      const inner = renderArray(v, ctx);
      if (inner) out.push([prefix + key, `[${inner}]`]);
    } else if (v && typeof v === 'object') out.push(...flatPairs(v as Record<string, unknown>, ctx, `${prefix}${key}.`));
    else {
      const s = scalar(v, ctx);
      if (s !== undefined) out.push([prefix + key, s]);
    }
  }
  return out;
}

function scalar(v: unknown, ctx: Ctx): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return ctx.detail === 'values' ? String(v) : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  if (isIdentifierLike(v) && !/\s/.test(v)) return v;
  if (ctx.detail === 'values' && v.length <= ctx.maxString) return /[\s,|=\]]/.test(v) ? JSON.stringify(v) : v;
  const ids = extractIdentifiers(v);
  // Several ids from one string stay one quoted cell, so table columns still line up.
  return ids.length === 0 ? undefined : ids.length === 1 ? ids[0] : JSON.stringify(ids.join(' '));
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
