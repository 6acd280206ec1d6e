import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Auth, FuzzRequest, PoolKind } from './requests';

/**
 * Sends fuzz requests and judges the answers: never a 5xx, every error in the
 * `{ error: { type, message } }` shape, another tenant's real ids never
 * served. Real ids from successful creations go into the pool.
 */
export interface Verdict {
  status: number;
  /** No answer at all (connection reset, timeout). */
  transport?: string;
  badShape?: string;
  crossTenant?: boolean;
}

export interface PoolEntry {
  id: string;
  tenant: 'acme' | 'globex';
}

export class ResourcePool {
  private readonly entries: Record<PoolKind, PoolEntry[]> = { job: [], file: [], batch: [], delivery: [] };

  add(kind: PoolKind, entry: PoolEntry): void {
    const list = this.entries[kind];
    if (list.length < 500) list.push(entry);
    else list[Math.floor(Math.random() * list.length)] = entry;
  }

  pick(kind: PoolKind, index: number): PoolEntry | undefined {
    const list = this.entries[kind];
    return list.length ? list[index % list.length] : undefined;
  }
}

export interface Target {
  url: string;
  keys: { acme: string; globex: string };
  adminKey: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function authorization(auth: Auth, target: Target): string | undefined {
  switch (auth) {
    case 'acme':
    case 'globex':
      return `Bearer ${target.keys[auth]}`;
    case 'admin':
      return `Bearer ${target.adminKey}`;
    case 'unknown':
      return 'Bearer k-not-a-key';
    case 'malformed':
      return 'Basic ::::';
    default:
      return undefined;
  }
}

export async function send(req: FuzzRequest, target: Target, pool: ResourcePool, timeoutMs: number): Promise<Verdict> {
  if (req.raw) return sendRaw(req.raw, target, Math.min(timeoutMs, 3_000));
  let id = '';
  let owner: PoolEntry['tenant'] | undefined;
  if (req.id && 'pool' in req.id) {
    const entry = pool.pick(req.id.pool, req.id.index);
    id = entry?.id ?? 'job_missing';
    owner = entry?.tenant;
  } else if (req.id) id = req.id.literal;
  const path = req.path.replace('{id}', encodeURIComponent(id).replace(/%25/g, '%')) + req.query;
  let body = req.body;
  let usesId = req.path.includes('{id}');
  if (body && req.kind === 'batches.create') {
    const text = body.toString('latin1');
    usesId = text.includes('{file}');
    body = Buffer.from(text.replace('{file}', id), 'latin1');
  }
  const headers: Record<string, string> = { ...req.headers };
  delete headers['x-fuzz-n'];
  const auth = authorization(req.auth, target);
  if (auth) headers.authorization = auth;
  if (body) headers['content-length'] = String(body.length);

  const answer = await new Promise<{ status: number; headers: Record<string, unknown>; text: string } | { error: string }>((resolve) => {
    let settled = false;
    const done = (v: { status: number; headers: Record<string, unknown>; text: string } | { error: string }) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    let r;
    try {
      r = httpRequest(`${target.url}${path}`, { method: req.method, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 256 * 1024) chunks.push(c);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
    } catch (err) {
      // The client refused to send it (an invalid header or path): nothing reached the server.
      return done({ status: -1, headers: {}, text: (err as Error).message });
    }
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (err) => done({ error: err.message }));
    r.end(body);
  });

  if ('error' in answer) return { status: 0, transport: answer.error };
  if (answer.status === -1) return { status: -1 };
  const verdict: Verdict = { status: answer.status };
  if (answer.status >= 400 && req.method !== 'HEAD') verdict.badShape = shapeProblem(answer.text);
  if (Object.keys(answer.headers).some((h) => h.startsWith('x-injected') || h === 'set-cookie')) verdict.badShape = 'injected header echoed';
  // Another tenant's real resource must look missing.
  if (owner && (req.auth === 'acme' || req.auth === 'globex') && req.auth !== owner && usesId && answer.status < 300) verdict.crossTenant = true;
  if (answer.status < 300 && (req.auth === 'acme' || req.auth === 'globex')) collect(req, answer.text, req.auth, pool);
  return verdict;
}

/** Why an error body is not `{ error: { type, message } }`, or undefined when it is. */
export function shapeProblem(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error.type !== 'string' || typeof error.message !== 'string') return `wrong shape: ${text.slice(0, 80)}`;
  return undefined;
}

function collect(req: FuzzRequest, text: string, tenant: PoolEntry['tenant'], pool: ResourcePool): void {
  let body: { id?: unknown; object?: unknown; data?: { id?: unknown }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return;
  }
  const id = typeof body?.id === 'string' ? body.id : undefined;
  if (req.kind.startsWith('jobs.create') && id) pool.add('job', { id, tenant });
  else if (req.kind === 'files.upload' && id) pool.add('file', { id, tenant });
  else if (req.kind === 'batches.create' && id) pool.add('batch', { id, tenant });
  else if (req.kind === 'deliveries.list' && Array.isArray(body.data)) for (const d of body.data.slice(0, 5)) if (typeof d.id === 'string') pool.add('delivery', { id: d.id, tenant });
}

/**
 * Sends raw bytes and reads the first answer. A server that waits for the
 * rest of an incomplete request within `quietMs` is fine: status 0 with no
 * transport error.
 */
function sendRaw(raw: Buffer, target: Target, quietMs: number): Promise<Verdict> {
  const { hostname, port } = new URL(target.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!match) return resolve(text ? { status: 0, transport: 'unparseable answer' } : closed ? { status: 0, transport: 'closed without an answer' } : { status: 0 });
      const status = Number(match[1]);
      const split = text.indexOf('\r\n\r\n');
      const head = split >= 0 ? text.slice(0, split) : text;
      const length = /content-length: (\d+)/i.exec(head);
      let body = split >= 0 ? text.slice(split + 4) : '';
      if (length) body = body.slice(0, Number(length[1]));
      else if (/transfer-encoding: chunked/i.test(head)) body = dechunk(body);
      resolve({ status, badShape: status >= 400 ? shapeProblem(Buffer.from(body, 'latin1').toString('utf8')) : undefined });
    };
    socket.setTimeout(quietMs, () => finish(false));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const head = text.slice(0, split);
      const length = /content-length: (\d+)/i.exec(head);
      if (length && text.length - split - 4 >= Number(length[1])) finish(false);
      if (/transfer-encoding: chunked/i.test(head) && text.includes('\r\n0\r\n\r\n', split)) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(raw);
  });
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
