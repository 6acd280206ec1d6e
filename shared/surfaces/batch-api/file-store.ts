import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sortedPage, type Page, type PageQuery } from './sorted-page';

/** Chunk size of stored file content. */
const CHUNK_BYTES = 1024 * 1024;
/** An unfinished upload's chunks vanish after this long. */
const UPLOAD_TTL_SECONDS = 3600;
/** Ids are ours: anything else (path fragments, junk) is simply not found. */
const FILE_ID = /^file-[A-Za-z0-9_-]{1,64}$/;

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  status_details: null;
  expires_at: number | null;
}

interface StoredFile extends FileObject {
  tenant: string;
  chunks: number;
}

export class FileTooLargeError extends Error {}

/**
 * OpenAI-style files, stored in Redis so every process sees them: content
 * as a list of 1 MB chunks (written and read chunk by chunk, never as one
 * string), metadata in a hash with the owning tenant. A file becomes visible
 * only once its upload is complete.
 */
export class FileStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Seconds a file is kept. */
    private readonly retentionSeconds: number,
  ) {}

  static newId(): string {
    return `file-${randomBytes(18).toString('base64url')}`;
  }

  static isId(id: string): boolean {
    return FILE_ID.test(id);
  }

  /** Starts writing a file; nothing is visible until `commit()`. */
  writer(tenant: string, info: { filename: string; purpose: string; id?: string; maxBytes?: number }): FileWriter {
    return new FileWriter(this.redis, this.prefix, this.retentionSeconds, tenant, info.id ?? FileStore.newId(), info.filename, info.purpose, info.maxBytes ?? Infinity);
  }

  /** The file, or undefined when it does not exist, is another tenant's, or the id is junk. */
  async get(tenant: string, id: string): Promise<FileObject | undefined> {
    const file = await this.load(id);
    return file && file.tenant === tenant ? publicFile(file) : undefined;
  }

  private async load(id: string): Promise<StoredFile | undefined> {
    if (!FileStore.isId(id)) return undefined;
    const raw = await this.redis.hget(this.key(id), 'meta');
    return raw ? (JSON.parse(raw) as StoredFile) : undefined;
  }

  /** The content, chunk by chunk, for a file the caller already looked up. */
  async *chunks(id: string, groupSize = 4): AsyncGenerator<Buffer> {
    const file = await this.load(id);
    if (!file) return;
    for (let start = 0; start < file.chunks; start += groupSize) {
      const group = await this.redis.lrangeBuffer(this.dataKey(id), start, start + groupSize - 1);
      for (const chunk of group) yield chunk;
      if (group.length < groupSize) return;
    }
  }

  list(tenant: string, query: PageQuery & { purpose?: string }): Promise<Page<FileObject>> {
    return sortedPage(this.redis, this.indexKey(tenant), query, async (ids) => {
      const files = await Promise.all(ids.map((id) => this.load(id)));
      // null: exists but filtered out; undefined: expired (dropped from the index).
      return files.map((f) => (!f || f.tenant !== tenant ? undefined : query.purpose && f.purpose !== query.purpose ? null : publicFile(f)));
    });
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const file = await this.load(id);
    if (!file || file.tenant !== tenant) return false;
    await this.redis.multi().del(this.key(id), this.dataKey(id)).zrem(this.indexKey(tenant), id).exec();
    return true;
  }

  private key(id: string): string {
    return `${this.prefix}:file:${id}`;
  }
  private dataKey(id: string): string {
    return `${this.prefix}:file:${id}:data`;
  }
  private indexKey(tenant: string): string {
    return `${this.prefix}:file-index:${tenant}`;
  }
}

/**
 * Writes one file: content goes to a temporary list in 1 MB chunks as it
 * arrives (the caller awaits each write, so a fast uploader cannot outrun
 * Redis), and `commit()` renames it into place and publishes the metadata.
 */
export class FileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private chunks = 0;
  private bytesWritten = 0;
  private started = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
    private readonly tenant: string,
    readonly id: string,
    private readonly filename: string,
    private readonly purpose: string,
    private readonly maxBytes: number,
  ) {}

  get bytes(): number {
    return this.bytesWritten;
  }

  private get uploadKey(): string {
    return `${this.prefix}:file-upload:${this.id}`;
  }

  /** Appends content; throws FileTooLargeError past `maxBytes`. */
  async write(data: Buffer): Promise<void> {
    this.bytesWritten += data.length;
    if (this.bytesWritten > this.maxBytes) throw new FileTooLargeError(`file is larger than ${this.maxBytes} bytes`);
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush(false);
  }

  private async flush(all: boolean): Promise<void> {
    if (!this.pendingBytes) return;
    const joined = Buffer.concat(this.pending);
    const cut = all ? joined.length : joined.length - (joined.length % CHUNK_BYTES);
    const pipeline = this.redis.pipeline();
    // A fixed-id writer redone after a crash must not append to the dead one's chunks.
    if (!this.started) pipeline.del(this.uploadKey);
    this.started = true;
    for (let at = 0; at < cut; at += CHUNK_BYTES) {
      pipeline.rpush(this.uploadKey, joined.subarray(at, Math.min(at + CHUNK_BYTES, cut)));
      this.chunks += 1;
    }
    pipeline.expire(this.uploadKey, UPLOAD_TTL_SECONDS);
    const rest = joined.subarray(cut);
    this.pending = rest.length ? [Buffer.from(rest)] : [];
    this.pendingBytes = rest.length;
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Publishes the file (replacing a file of the same id, for re-written outputs); `purpose` may be decided last. */
  async commit(purpose = this.purpose): Promise<FileObject> {
    await this.flush(true);
    const now = Math.floor(Date.now() / 1000);
    const stored: StoredFile = {
      id: this.id,
      object: 'file',
      bytes: this.bytesWritten,
      created_at: now,
      filename: this.filename,
      purpose,
      status: 'processed',
      status_details: null,
      expires_at: now + this.retentionSeconds,
      tenant: this.tenant,
      chunks: this.chunks,
    };
    const key = `${this.prefix}:file:${this.id}`;
    const dataKey = `${key}:data`;
    const tx = this.redis.multi();
    if (this.chunks) tx.rename(this.uploadKey, dataKey).expire(dataKey, this.retentionSeconds);
    else tx.del(dataKey);
    await tx
      .hset(key, { tenant: this.tenant, meta: JSON.stringify(stored) })
      .expire(key, this.retentionSeconds)
      .zadd(`${this.prefix}:file-index:${this.tenant}`, Date.now(), this.id)
      .exec();
    return publicFile(stored);
  }

  async abort(): Promise<void> {
    this.pending = [];
    await this.redis.del(this.uploadKey).catch(() => undefined);
  }
}

function publicFile(file: StoredFile): FileObject {
  const { tenant: _tenant, chunks: _chunks, ...rest } = file;
  return rest;
}
