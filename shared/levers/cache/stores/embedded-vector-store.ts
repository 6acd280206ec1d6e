import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HierarchicalNSW } from 'hnswlib-node';
import type { Logger } from 'pino';
import { Partition, type PartitionTuning } from './embedded-partition';
import type { VectorMatch, VectorPoint, VectorQuery, VectorStore } from './vector-store';

export interface EmbeddedVectorStoreOptions {
  dims: number;
  /** Directory the index is persisted to (one per collection); default none = memory only. */
  dir?: string;
  /** Snapshot interval when there are changes, ms; default 30,000 (0 = only on flush/close). */
  autosaveMs?: number;
  tuning?: Partial<PartitionTuning>;
  log?: Logger;
}

const MAGIC = 'PRSMVS01';
const DEFAULT_TUNING: PartitionTuning = { hnswThreshold: 2048, m: 16, efConstruction: 100, efSearch: 64, buildSliceMs: 1 };

/**
 * The one-process default vector store: every (tenant, scope) is its own
 * partition in memory (exact scan, or HNSW when large), so a query can never
 * see another tenant's or scope's vectors. Persisted under the data dir as a
 * snapshot (+ one hnswlib file per large partition, rewritten only when it
 * changed), written atomically on a timer when dirty and on close, and
 * reloaded on start. A crash loses at most the last autosave interval of
 * writes — acceptable for a cache. Snapshots are synchronous: with millions
 * of entries in one process prefer Qdrant.
 */
export class EmbeddedVectorStore implements VectorStore {
  readonly kind = 'embedded';
  private readonly partitions = new Map<string, Partition>();
  private readonly where = new Map<string, Partition>();
  private readonly tuning: PartitionTuning;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: EmbeddedVectorStoreOptions) {
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
  }

  async init(): Promise<void> {
    if (this.options.dir) {
      mkdirSync(this.options.dir, { recursive: true });
      this.load();
      const every = this.options.autosaveMs ?? 30_000;
      if (every > 0 && !this.timer) {
        this.timer = setInterval(() => this.flushSafely(), every);
        this.timer.unref();
      }
    }
  }

  async upsert(points: VectorPoint[]): Promise<void> {
    for (const p of points) this.upsertSync(p);
  }

  upsertSync(p: Pick<VectorPoint, 'id' | 'vector' | 'tenant' | 'scope' | 'expiresAt'>): void {
    if (p.vector.length !== this.options.dims) throw new Error(`vector has ${p.vector.length} dimensions, store has ${this.options.dims}`);
    const key = partitionKey(p.tenant, p.scope);
    const previous = this.where.get(p.id);
    if (previous && previous.key !== key) previous.delete(p.id);
    let part = this.partitions.get(key);
    if (!part) {
      part = this.newPartition(key);
      this.partitions.set(key, part);
    }
    part.upsert(p.id, p.vector, p.expiresAt);
    this.where.set(p.id, part);
    this.dirty = true;
  }

  async search(q: VectorQuery): Promise<VectorMatch[]> {
    return this.searchSync(q);
  }

  searchSync(q: VectorQuery): VectorMatch[] {
    const part = this.partitions.get(partitionKey(q.tenant, q.scope));
    return part ? part.search(q.vector, q.now, q.limit, q.minSimilarity) : [];
  }

  async delete(tenant: string, ids: string[]): Promise<void> {
    for (const id of ids) {
      const part = this.where.get(id);
      if (!part || !part.key.startsWith(`${tenant}\u0000`)) continue;
      part.delete(id);
      this.where.delete(id);
      if (part.size === 0) this.drop(part);
      this.dirty = true;
    }
  }

  async deleteExpired(now: number): Promise<number> {
    let removed = 0;
    for (const part of [...this.partitions.values()]) {
      for (const id of part.expired(now)) {
        part.delete(id);
        this.where.delete(id);
        removed++;
      }
      if (part.size === 0) this.drop(part);
    }
    if (removed > 0) this.dirty = true;
    return removed;
  }

  /** Resolves once no partition is moving to HNSW in the background (benches and tests wait on it). */
  async idle(): Promise<void> {
    while ([...this.partitions.values()].some((p) => p.converting)) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async count(): Promise<number> {
    return this.where.size;
  }

  /** Writes the snapshot now if anything changed. */
  flush(): void {
    if (!this.options.dir || !this.dirty) return;
    const dir = this.options.dir;
    // The directory may have been removed under us (an operator wiping the data dir): recreate it.
    mkdirSync(dir, { recursive: true });
    const parts: Buffer[] = [];
    const header = Buffer.alloc(16);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(this.options.dims, 8);
    header.writeUInt32LE(this.partitions.size, 12);
    parts.push(header);
    const keep = new Set<string>();
    for (const part of this.partitions.values()) {
      const key = Buffer.from(part.key, 'utf8');
      const head = Buffer.alloc(2 + key.length + 1 + 4);
      head.writeUInt16LE(key.length, 0);
      key.copy(head, 2);
      // A scan partition (also one whose HNSW build is still under way) is written dense, without holes.
      const scan = part.hnsw ? null : part.dense();
      const ids = scan ? scan.ids : part.ids;
      const expires = scan ? scan.expires : part.expires;
      head.writeUInt8(part.hnsw ? 1 : 0, 2 + key.length);
      head.writeUInt32LE(ids.length, 3 + key.length);
      parts.push(head);
      const idBufs = ids.map((id) => Buffer.from(id ?? '', 'utf8'));
      const rec = Buffer.alloc(idBufs.reduce((s, b) => s + 2 + b.length + 8, 0));
      let o = 0;
      idBufs.forEach((b, l) => {
        rec.writeUInt16LE(b.length, o);
        b.copy(rec, o + 2);
        rec.writeDoubleLE(expires[l], o + 2 + b.length);
        o += 2 + b.length + 8;
      });
      parts.push(rec);
      if (part.hnsw) {
        const file = `hnsw-${createHash('sha1').update(part.key).digest('hex')}.bin`;
        // Large indexes are rewritten only when they changed since the last snapshot.
        if (part.dirty || !existsSync(join(dir, file))) {
          part.hnsw.writeIndexSync(join(dir, `${file}.tmp`));
          renameSync(join(dir, `${file}.tmp`), join(dir, file));
        }
        keep.add(file);
        const name = Buffer.from(file, 'utf8');
        const nb = Buffer.alloc(2);
        nb.writeUInt16LE(name.length, 0);
        parts.push(nb, name);
      } else {
        const f = scan!.flat;
        parts.push(Buffer.from(f.buffer, f.byteOffset, f.byteLength));
      }
    }
    const tmp = join(dir, 'snapshot.bin.tmp');
    writeFileSync(tmp, Buffer.concat(parts));
    renameSync(tmp, join(dir, 'snapshot.bin'));
    for (const part of this.partitions.values()) part.dirty = false;
    for (const f of readdirSync(dir)) if (f.startsWith('hnsw-') && f.endsWith('.bin') && !keep.has(f)) rmSync(join(dir, f), { force: true });
    this.dirty = false;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A build under way is dropped: the snapshot holds that partition as a scan, and it converts again after a restart.
    for (const part of this.partitions.values()) part.cancelBuild();
    this.flush();
  }

  private newPartition(key: string): Partition {
    return new Partition(key, this.options.dims, this.tuning, () => {
      this.dirty = true;
    });
  }

  private drop(part: Partition): void {
    part.cancelBuild();
    this.partitions.delete(part.key);
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (err) {
      this.options.log?.warn({ err }, 'embedded vector store: snapshot failed');
    }
  }

  private load(): void {
    const dir = this.options.dir!;
    const file = join(dir, 'snapshot.bin');
    if (!existsSync(file)) return;
    const buf = readFileSync(file);
    if (buf.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a Parsimony vector snapshot`);
    const dims = buf.readUInt32LE(8);
    if (dims !== this.options.dims) throw new Error(`${file} holds ${dims}-d vectors, the embedder makes ${this.options.dims}-d`);
    const n = buf.readUInt32LE(12);
    let o = 16;
    for (let p = 0; p < n; p++) {
      const keyLen = buf.readUInt16LE(o);
      const key = buf.toString('utf8', o + 2, o + 2 + keyLen);
      o += 2 + keyLen;
      const mode = buf.readUInt8(o);
      const count = buf.readUInt32LE(o + 1);
      o += 5;
      const ids: (string | null)[] = new Array(count);
      const expires = new Float64Array(Math.max(16, count));
      for (let l = 0; l < count; l++) {
        const len = buf.readUInt16LE(o);
        ids[l] = len === 0 ? null : buf.toString('utf8', o + 2, o + 2 + len);
        expires[l] = buf.readDoubleLE(o + 2 + len);
        o += 2 + len + 8;
      }
      const part = this.newPartition(key);
      if (mode === 1) {
        const nameLen = buf.readUInt16LE(o);
        const name = buf.toString('utf8', o + 2, o + 2 + nameLen);
        o += 2 + nameLen;
        const index = new HierarchicalNSW('ip', dims);
        index.readIndexSync(join(dir, name));
        index.setEf(this.tuning.efSearch);
        part.hnsw = index;
        part.flat = null;
      } else {
        const bytes = count * dims * 4;
        const flat = new Float32Array(Math.max(16, count) * dims);
        new Uint8Array(flat.buffer).set(buf.subarray(o, o + bytes));
        o += bytes;
        part.flat = flat;
      }
      part.adopt(ids, expires);
      part.dirty = false;
      if (part.size === 0) continue;
      this.partitions.set(key, part);
      for (const id of part.labels.keys()) this.where.set(id, part);
    }
    this.options.log?.info({ entries: this.where.size, partitions: this.partitions.size }, 'embedded vector store loaded');
  }
}

function partitionKey(tenant: string, scope: string): string {
  return `${tenant}\u0000${scope}`;
}
