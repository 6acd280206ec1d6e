import busboy from 'busboy';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { FileStore, FileTooLargeError, type FileWriter } from '../../../shared/surfaces/batch-api/file-store';
import type { ProducerEnv } from '../../../shared/platform/config/env';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { Platform } from '../../../shared/runtime/platform';
import { tenantOf } from '../http/authenticate';

/** Parsimony stores files for its Batch API only. */
const PURPOSES = ['batch'];

const ListQuery = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  purpose: z.string().optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

/**
 * POST /v1/files (multipart, streamed into Redis), GET /v1/files,
 * GET /v1/files/:id, GET /v1/files/:id/content, DELETE /v1/files/:id.
 * Mounted before the JSON body parser: uploads are never buffered whole.
 */
export function filesRouter(platform: Platform, env: ProducerEnv): Router {
  const files = new FileStore(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, env.PARSIMONY_FILE_RETENTION_SECONDS);
  const maxBytes = env.PARSIMONY_FILE_MAX_BYTES;
  const router = Router();

  router.post('/v1/files', async (req, res) => {
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) throw ApiError.invalid("Content-Type must be multipart/form-data with a 'file' and a 'purpose' field");
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes + 64 * 1024) {
      res.setHeader('connection', 'close');
      throw tooLarge(maxBytes);
    }
    const { writer, fields, failure } = await receive(req, files, tenantOf(req), maxBytes);
    try {
      if (failure) throw failure instanceof FileTooLargeError ? tooLarge(maxBytes) : failure;
      if (!writer) throw ApiError.invalid("missing required field 'file'");
      const purpose = fields.purpose;
      if (!purpose) throw ApiError.invalid("missing required field 'purpose'");
      if (!PURPOSES.includes(purpose)) throw ApiError.invalid(`purpose: Parsimony stores files for the Batch API only; use "batch" (got "${purpose}")`);
      if (writer.bytes === 0) throw ApiError.invalid('file is empty');
      res.json(await writer.commit(purpose));
    } catch (err) {
      await writer?.abort();
      throw err;
    }
  });

  router.get('/v1/files', async (req, res) => {
    const query = ListQuery.parse(req.query);
    res.json(await files.list(tenantOf(req), query));
  });

  router.get('/v1/files/:id', async (req, res) => {
    res.json(await mustGet(files, tenantOf(req), String(req.params.id)));
  });

  router.delete('/v1/files/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await files.delete(tenantOf(req), id))) throw ApiError.notFound(`file ${id}`);
    res.json({ id, object: 'file', deleted: true });
  });

  router.get('/v1/files/:id/content', async (req, res) => {
    const file = await mustGet(files, tenantOf(req), String(req.params.id));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes) });
    for await (const chunk of files.chunks(file.id)) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    res.end();
  });

  return router;
}

/** Resolves when the response can take more, or is gone (listeners removed either way). */
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function mustGet(files: FileStore, tenant: string, id: string) {
  const file = await files.get(tenant, id);
  if (!file) throw ApiError.notFound(`file ${id}`);
  return file;
}

function tooLarge(maxBytes: number): ApiError {
  return ApiError.tooLarge(`file is larger than this server accepts (PARSIMONY_FILE_MAX_BYTES = ${maxBytes} bytes)`);
}

/**
 * Streams the multipart body: the 'file' part goes chunk by chunk into a
 * FileWriter (the request is paused while Redis catches up), the other
 * fields are collected. Content past the limit is read and discarded.
 */
function receive(req: Request, files: FileStore, tenant: string, maxBytes: number): Promise<{ writer?: FileWriter; fields: Record<string, string>; failure?: unknown }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch (err) {
      reject(ApiError.invalid(`could not parse the multipart form: ${(err as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    let writer: FileWriter | undefined;
    let failure: unknown;
    let upload: Promise<void> = Promise.resolve();
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || writer) {
        stream.resume();
        return;
      }
      const w = files.writer(tenant, { filename: (info.filename || 'upload.jsonl').slice(0, 255), purpose: 'batch', maxBytes });
      writer = w;
      upload = new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => {
          if (failure) return;
          stream.pause();
          w.write(chunk).then(
            () => stream.resume(),
            (err) => {
              failure ??= err;
              stream.resume();
            },
          );
        });
        stream.on('limit', () => (failure ??= new FileTooLargeError('file too large')));
        stream.on('end', () => done());
        stream.on('error', (err) => {
          failure ??= err;
          done();
        });
      });
    });
    const fail = (err: ApiError) => {
      void writer?.abort();
      reject(err);
    };
    parser.on('error', (err) => fail(ApiError.invalid(`could not parse the multipart form: ${(err as Error).message}`)));
    parser.on('close', () => void upload.then(() => resolve({ writer, fields, failure })));
    req.on('aborted', () => fail(ApiError.invalid('upload aborted by the client')));
    req.pipe(parser);
  });
}
