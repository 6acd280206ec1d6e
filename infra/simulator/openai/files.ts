import busboy from 'busboy';
import type { RequestContext } from '../context';
import { SimError, invalidParam } from '../errors';
import { intParam, sendJson, writeChunk } from '../http';
import { nowSeconds } from '../prng';
import { fileObject, type StoredFile } from './file-store';
import { openAIHeaders } from './headers';

/** /v1/files: streamed multipart upload, retrieve, list, content download and delete. */

const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];
const MAX_FILE_BYTES = 512 * 1024 * 1024;
const MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024;

export function handleUpload(ctx: RequestContext): Promise<void> {
  const started = Date.now();
  const type = ctx.req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) throw invalidParam("Invalid Content-Type header, expected 'multipart/form-data'.");
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let filename: string | undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = false;
    const parser = busboy({ headers: ctx.req.headers, limits: { fileSize: MAX_FILE_BYTES } });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      filename = info.filename ?? 'upload';
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => (tooLarge = true));
    });
    parser.on('error', (err) => reject(invalidParam(`Could not parse multipart form: ${(err as Error).message}`)));
    parser.on('close', () => {
      try {
        if (filename === undefined) throw invalidParam("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
        const purpose = fields.purpose;
        if (!purpose) throw invalidParam("Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
        if (!PURPOSES.includes(purpose)) throw invalidParam(`Invalid value: '${purpose}'. Supported values are: ${PURPOSES.map((p) => `'${p}'`).join(', ')}.`, 'purpose', 'invalid_value');
        if (tooLarge) throw new SimError(413, `File is too large: the maximum size is ${MAX_FILE_BYTES} bytes.`, { param: 'file' });
        if (purpose === 'batch') {
          if (!filename.endsWith('.jsonl')) throw invalidParam('Invalid file format for Batch API. Must be .jsonl', 'file');
          if (bytes > MAX_BATCH_FILE_BYTES) throw invalidParam('File is too large for the Batch API: the maximum is 200 MB.', 'file');
        }
        const seconds = Number(fields['expires_after[seconds]']);
        const expiresAt = Number.isFinite(seconds) && seconds > 0 ? nowSeconds() + seconds : null;
        const file = ctx.sim.files.add(filename, purpose, chunks, expiresAt);
        ctx.sim.log.debug({ file: file.id, bytes, purpose }, 'file uploaded');
        sendJson(ctx.res, 200, fileObject(file), openAIHeaders(ctx.requestId, started));
        resolve();
      } catch (err) {
        reject(err);
      }
    });
    ctx.req.pipe(parser);
  });
}

export function getFile(ctx: RequestContext): StoredFile {
  const file = ctx.sim.files.get(ctx.params.id);
  if (!file) throw new SimError(404, `No such File object: ${ctx.params.id}`, { param: 'id' });
  return file;
}

export function handleRetrieveFile(ctx: RequestContext): void {
  sendJson(ctx.res, 200, fileObject(getFile(ctx)), openAIHeaders(ctx.requestId, Date.now()));
}

export function handleDeleteFile(ctx: RequestContext): void {
  const file = getFile(ctx);
  ctx.sim.files.delete(file.id);
  sendJson(ctx.res, 200, { id: file.id, object: 'file', deleted: true }, openAIHeaders(ctx.requestId, Date.now()));
}

export function handleListFiles(ctx: RequestContext): void {
  const order = ctx.query.get('order') === 'asc' ? 'asc' : 'desc';
  const limit = intParam(ctx.query.get('limit'), 10_000, 1, 10_000, 'limit');
  const purpose = ctx.query.get('purpose');
  const after = ctx.query.get('after');
  let list = ctx.sim.files.all(order).filter((f) => !purpose || f.purpose === purpose);
  if (after) {
    const at = list.findIndex((f) => f.id === after);
    list = at >= 0 ? list.slice(at + 1) : list;
  }
  const page = list.slice(0, limit);
  sendJson(
    ctx.res,
    200,
    { object: 'list', data: page.map(fileObject), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: list.length > page.length },
    openAIHeaders(ctx.requestId, Date.now()),
  );
}

/** Streams the stored chunks, honouring back-pressure. */
export async function handleFileContent(ctx: RequestContext): Promise<void> {
  const file = getFile(ctx);
  const { res } = ctx;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes), ...openAIHeaders(ctx.requestId, Date.now()) });
  for (const chunk of file.chunks) if (!(await writeChunk(res, chunk))) return;
  res.end();
}
