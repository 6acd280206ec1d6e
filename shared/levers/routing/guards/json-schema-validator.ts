/**
 * A small JSON Schema validator for the subset structured outputs and tool
 * parameters use in practice: type (one or a list), properties, required,
 * additionalProperties (boolean or schema), items, enum, const, anyOf/oneOf
 * (at least one branch), allOf, and local $ref (#/$defs/…, #/definitions/…).
 * Anything else (formats, lengths, patterns, numeric bounds) is not checked:
 * the guard is there to catch answers a program cannot consume, not to judge
 * style, so unknown keywords pass rather than cause a needless escalation.
 */

type Schema = Record<string, unknown>;

/** Errors found, at most `limit`, each "<path>: <problem>" with a JSONPath-like path ("$.items[0].name"). */
export function validateJsonSchema(schema: unknown, value: unknown, limit = 5): string[] {
  const errors: string[] = [];
  const root = isObject(schema) ? schema : {};
  check(root, root, value, '$', errors, limit, 0);
  return errors;
}

const MAX_DEPTH = 64;

function check(schema: unknown, root: Schema, value: unknown, path: string, errors: string[], limit: number, depth: number): void {
  if (errors.length >= limit) return;
  if (schema === false) return void errors.push(`${path}: no value is allowed here`);
  if (!isObject(schema)) return; // `true` or a non-schema: anything goes
  if (depth > MAX_DEPTH) return void errors.push(`${path}: schema nested too deeply`);
  const node = resolveRef(schema, root);
  if (!node) return void errors.push(`${path}: unresolvable $ref ${String(schema.$ref)}`);

  if ('const' in node && !deepEqual(node.const, value)) errors.push(`${path}: must be ${JSON.stringify(node.const)}`);
  if (Array.isArray(node.enum) && !node.enum.some((e) => deepEqual(e, value))) errors.push(`${path}: must be one of ${JSON.stringify(node.enum).slice(0, 120)}`);

  const types = node.type === undefined ? undefined : Array.isArray(node.type) ? (node.type as unknown[]) : [node.type];
  if (types && !types.some((t) => typeof t === 'string' && hasType(value, t))) {
    errors.push(`${path}: expected ${types.join(' or ')}, got ${typeName(value)}`);
    return; // the structural checks below would only repeat the type error
  }

  if (Array.isArray(node.allOf)) for (const part of node.allOf) check(part, root, value, path, errors, limit, depth + 1);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = node[key];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const matches = branches.some((b) => {
      const sub: string[] = [];
      check(b, root, value, path, sub, 1, depth + 1);
      return sub.length === 0;
    });
    if (!matches) errors.push(`${path}: matches none of the ${key} alternatives`);
  }

  if (isObject(value)) checkObject(node, root, value, path, errors, limit, depth);
  if (Array.isArray(value) && node.items !== undefined && !Array.isArray(node.items)) {
    value.forEach((item, i) => check(node.items, root, item, `${path}[${i}]`, errors, limit, depth + 1));
  }
}

function checkObject(node: Schema, root: Schema, value: Schema, path: string, errors: string[], limit: number, depth: number): void {
  const properties = isObject(node.properties) ? node.properties : {};
  if (Array.isArray(node.required)) {
    for (const key of node.required) if (typeof key === 'string' && !Object.hasOwn(value, key)) errors.push(`${path}: missing required property "${key}"`);
  }
  for (const [key, item] of Object.entries(value)) {
    const child = `${path}.${key}`;
    if (Object.hasOwn(properties, key)) check(properties[key], root, item, child, errors, limit, depth + 1);
    else if (node.additionalProperties === false) errors.push(`${path}: property "${key}" is not allowed`);
    else if (isObject(node.additionalProperties)) check(node.additionalProperties, root, item, child, errors, limit, depth + 1);
  }
}

/** Follows local $refs (up to 16 hops); undefined when one cannot be resolved. */
function resolveRef(schema: Schema, root: Schema): Schema | undefined {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref;
    if (hops >= 16 || !ref.startsWith('#')) return undefined;
    let target: unknown = root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) ? target[key] : undefined;
    }
    if (!isObject(target)) return undefined;
    // Sibling keywords next to $ref (allowed since 2019-09) still apply.
    const { $ref: _ref, ...siblings } = current;
    current = Object.keys(siblings).length ? { ...target, ...siblings } : target;
  }
  return current;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return true; // an unknown type name is the schema's problem, not the answer's
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => deepEqual(x, other[i]));
  }
  const ao = a as Schema;
  const bo = b as Schema;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}
