import type { IncomingMessage } from 'node:http';
import { BodyErrors } from './error-handler';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** PARSIMONY_BODY_LIMIT (`512kb`, `10mb`: the env schema's forms) in bytes, 1024-based as express.json counts it. */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) throw new Error(`body limit "${limit}" is not a size like 512kb or 10mb`);
  return Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
}

/**
 * Whether `readJsonBody` reads this request exactly as express.json would:
 * no Content-Encoding (express.json inflates gzip/deflate/br) and a
 * Content-Type that is absent or application/json in UTF-8 (express.json
 * decodes other utf-* charsets and refuses the rest). Other requests are
 * left to express.
 */
export function isPlainJsonRequest(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  return type === undefined || PLAIN_JSON_TYPE.test(type);
}

const PLAIN_JSON_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;

/**
 * The request's JSON body, parsed once from the raw bytes, with
 * express.json's rules: no body (neither Content-Length nor
 * Transfer-Encoding) is undefined, an empty one `{}`; the top level must be
 * an object or an array (strict); a UTF-8 BOM is dropped. Larger than
 * `limit` bytes: a 413 ApiError, answered once the rest of the body has been
 * read off (so the client sees it rather than a reset). Not JSON: a 400.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || Number.isNaN(Number(declared)))) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared !== undefined && Number(declared) > limit;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (tooLarge) return reject(BodyErrors.tooLarge());
      try {
        resolve(parseStrictJson(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
      } catch {
        reject(BodyErrors.notJson());
      }
    });
    req.once('error', () => reject(BodyErrors.aborted()));
    req.once('close', () => {
      if (!req.complete) reject(BodyErrors.aborted());
    });
  });
}

/** JSON.parse with express.json's strict top level (object or array) and its `{}` for an empty body. */
function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = /[^ \t\n\r]/.exec(body)?.[0];
  if (first !== '{' && first !== '[') throw new SyntaxError('a JSON body must be an object or an array');
  return JSON.parse(body) as unknown;
}
