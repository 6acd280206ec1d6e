import type { Rng } from './prng';
import { cityName, personName, phrase } from './words';

/**
 * A plausible value that satisfies a JSON Schema's structural constraints:
 * types, required properties, enums/consts, numeric bounds, string formats and
 * lengths, array sizes, $ref/$defs and anyOf/oneOf/allOf. Used for tool-call
 * arguments and structured (json_schema) answers.
 */

type Schema = Record<string, unknown>;

export interface ValueHints {
  /** Identifiers/words from the last user message, used for string values. */
  echoes: string[];
  /** Names, places and products (capitalised words) from the last user message. */
  properNouns: string[];
  /** Numbers from the last user message, used for numeric values in range. */
  numbers: number[];
  /** The last user message, for query-like properties. */
  userText: string;
}

const MAX_DEPTH = 6;

export function valueForSchema(schema: unknown, rng: Rng, hints: ValueHints): unknown {
  const root = isObject(schema) ? schema : {};
  const state = { echoIndex: 0, numberIndex: 0, nounIndex: 0 };
  const gen = (s: unknown, name: string, depth: number): unknown => {
    let node = resolve(isObject(s) ? s : {}, root);
    if (Array.isArray(node.allOf)) node = mergeAll(node, root);
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length) return node.enum[Math.floor(rng.next() * node.enum.length)];
    const variants = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
    if (Array.isArray(variants) && variants.length) {
      const nonNull = variants.filter((v) => !(isObject(v) && v.type === 'null'));
      return gen(nonNull[0] ?? variants[0], name, depth);
    }
    const type = pickType(node);
    switch (type) {
      case 'object':
        return depth >= MAX_DEPTH ? {} : objectValue(node, depth);
      case 'array': {
        if (depth >= MAX_DEPTH) return [];
        const min = num(node.minItems) ?? 1;
        const max = Math.max(min, num(node.maxItems) ?? Math.max(min, 3));
        const count = Math.min(max, Math.max(min, rng.int(1, 3)));
        return Array.from({ length: count }, () => gen(node.items ?? { type: 'string' }, name, depth + 1));
      }
      case 'integer':
      case 'number':
        return numberValue(node, type === 'integer');
      case 'boolean':
        return rng.next() < 0.5;
      case 'null':
        return null;
      default:
        return stringValue(node, name);
    }
  };

  const objectValue = (node: Schema, depth: number): Record<string, unknown> => {
    const props = isObject(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? (node.required as string[]) : Object.keys(props);
    const out: Record<string, unknown> = {};
    for (const key of required) out[key] = gen(props[key] ?? {}, key, depth + 1);
    return out;
  };

  const numberValue = (node: Schema, integer: boolean): number => {
    let min = num(node.minimum) ?? (num(node.exclusiveMinimum) !== undefined ? num(node.exclusiveMinimum)! + (integer ? 1 : 0.01) : undefined);
    let max = num(node.maximum) ?? (num(node.exclusiveMaximum) !== undefined ? num(node.exclusiveMaximum)! - (integer ? 1 : 0.01) : undefined);
    min ??= max !== undefined ? Math.min(0, max) : 1;
    max ??= Math.max(min, 100);
    if (state.numberIndex < hints.numbers.length) {
      const n = hints.numbers[state.numberIndex++];
      if (n >= min && n <= max && (!integer || Number.isInteger(n))) return n;
    }
    const v = min + rng.next() * (max - min);
    return integer ? Math.min(Math.floor(max), Math.max(Math.ceil(min), Math.round(v))) : Math.round(v * 100) / 100;
  };

  const stringValue = (node: Schema, name: string): string => {
    const format = typeof node.format === 'string' ? node.format : '';
    const lower = name.toLowerCase();
    let v: string;
    if (format === 'date-time') v = '2025-01-15T10:30:00Z';
    else if (format === 'date' || lower.endsWith('date')) v = '2025-01-15';
    else if (format === 'email' || lower.includes('email')) v = `${personName(rng).toLowerCase()}@example.com`;
    else if (format === 'uri' || format === 'url' || lower === 'url' || lower.endsWith('_url')) v = 'https://example.com/resource';
    else if (format === 'uuid') v = '3f1c2a9e-5b7d-4c8e-9a1f-2b3c4d5e6f70';
    else if (/(^|_)(query|q|search|prompt|text|question|input)$/.test(lower)) v = hints.userText.slice(0, 80) || phrase(rng);
    else if (/city|location|place|country|name$/.test(lower)) v = nounOr(() => (/name$/.test(lower) ? personName(rng) : cityName(rng)));
    else v = echoOr(() => nounOr(() => phrase(rng, rng.int(2, 4))));
    const minLength = num(node.minLength);
    const maxLength = num(node.maxLength);
    while (minLength !== undefined && v.length < minLength) v += ` ${phrase(rng, 2)}`;
    if (maxLength !== undefined && v.length > maxLength) v = v.slice(0, maxLength);
    return v;
  };

  const echoOr = (fallback: () => string): string => (state.echoIndex < hints.echoes.length ? hints.echoes[state.echoIndex++] : fallback());
  const nounOr = (fallback: () => string): string => (state.nounIndex < hints.properNouns.length ? hints.properNouns[state.nounIndex++] : fallback());

  return gen(root, '', 0);
}

function pickType(node: Schema): string {
  const t = node.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') as string | undefined) ?? 'null';
  if (isObject(node.properties)) return 'object';
  if (node.items) return 'array';
  return 'string';
}

function resolve(node: Schema, root: Schema): Schema {
  let current = node;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#')) return {};
    let target: unknown = root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) target = isObject(target) ? target[decodeURIComponent(part)] : undefined;
    current = isObject(target) ? target : {};
  }
  return current;
}

function mergeAll(node: Schema, root: Schema): Schema {
  const merged: Schema = { ...node, allOf: undefined, properties: { ...(isObject(node.properties) ? node.properties : {}) } };
  const required = new Set<string>(Array.isArray(node.required) ? (node.required as string[]) : []);
  for (const part of node.allOf as unknown[]) {
    const p = resolve(isObject(part) ? part : {}, root);
    Object.assign(merged.properties as Schema, isObject(p.properties) ? p.properties : {});
    if (Array.isArray(p.required)) for (const r of p.required as string[]) required.add(r);
    if (p.type && !merged.type) merged.type = p.type;
  }
  if (required.size) merged.required = [...required];
  return merged;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
