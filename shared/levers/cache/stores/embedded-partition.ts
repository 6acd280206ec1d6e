import { HierarchicalNSW } from 'hnswlib-node';
import type { VectorMatch } from './vector-store';

export interface PartitionTuning {
  /** Entries above which a partition switches from an exact scan to an HNSW index; default 2,048. */
  hnswThreshold: number;
  /** HNSW graph degree; default 16. */
  m: number;
  /** HNSW build beam; default 100. */
  efConstruction: number;
  /** HNSW search beam; default 64. */
  efSearch: number;
}

/**
 * The vectors of one (tenant, scope). Small partitions (most scopes) are
 * scanned exactly — at 2,048 × 100-d that is ~0.1 ms and has perfect recall;
 * a partition that grows past the threshold moves to an HNSW index (inner
 * product on unit vectors = cosine). Labels are slots: in scan mode they stay
 * dense (a delete moves the last slot into the hole); in HNSW mode they are
 * stable and a deleted slot is reused by the next insert.
 */
export class Partition {
  ids: (string | null)[] = [];
  expires: Float64Array = new Float64Array(16);
  /** Scan mode: vectors, `dims` floats per label. */
  flat: Float32Array | null;
  hnsw: HierarchicalNSW | null = null;
  /** HNSW mode: labels of deleted slots, reused first. */
  free: number[] = [];
  readonly labels = new Map<string, number>();
  /** Changed since its HNSW file was last written. */
  dirty = true;

  constructor(
    readonly key: string,
    readonly dims: number,
    private readonly tuning: PartitionTuning,
  ) {
    this.flat = new Float32Array(16 * dims);
  }

  get size(): number {
    return this.labels.size;
  }

  /** Inserts or replaces a vector. */
  upsert(id: string, vector: Float32Array, expiresAt: number): void {
    this.dirty = true;
    const existing = this.labels.get(id);
    if (existing !== undefined) {
      this.write(existing, vector);
      this.expires[existing] = expiresAt;
      return;
    }
    if (this.hnsw === null && this.labels.size >= this.tuning.hnswThreshold) this.toHnsw();
    const label = this.hnsw && this.free.length > 0 ? this.free.pop()! : this.ids.length;
    if (label === this.ids.length) this.ids.push(id);
    else this.ids[label] = id;
    this.grow(label + 1);
    this.expires[label] = expiresAt;
    this.labels.set(id, label);
    this.write(label, vector);
  }

  delete(id: string): boolean {
    const label = this.labels.get(id);
    if (label === undefined) return false;
    this.dirty = true;
    this.labels.delete(id);
    if (this.hnsw) {
      this.hnsw.markDelete(label);
      this.ids[label] = null;
      this.expires[label] = 0;
      this.free.push(label);
      return true;
    }
    const last = this.ids.length - 1;
    if (label !== last) {
      const moved = this.ids[last]!;
      this.ids[label] = moved;
      this.expires[label] = this.expires[last];
      this.flat!.copyWithin(label * this.dims, last * this.dims, (last + 1) * this.dims);
      this.labels.set(moved, label);
    }
    this.ids.pop();
    return true;
  }

  /** Ids whose expiry is at or before `now`. */
  expired(now: number): string[] {
    const out: string[] = [];
    for (let l = 0; l < this.ids.length; l++) {
      const id = this.ids[l];
      if (id !== null && this.expires[l] <= now) out.push(id);
    }
    return out;
  }

  search(vector: Float32Array, now: number, limit: number, minSimilarity: number): VectorMatch[] {
    if (this.labels.size === 0) return [];
    return this.hnsw ? this.searchHnsw(vector, now, limit, minSimilarity) : this.scan(vector, now, limit, minSimilarity);
  }

  private scan(vector: Float32Array, now: number, limit: number, minSimilarity: number): VectorMatch[] {
    const dims = this.dims;
    const flat = this.flat!;
    const top: VectorMatch[] = [];
    for (let l = 0; l < this.ids.length; l++) {
      if (this.expires[l] <= now) continue;
      let s = 0;
      const base = l * dims;
      for (let d = 0; d < dims; d++) s += flat[base + d] * vector[d];
      if (s < minSimilarity || (top.length === limit && s <= top[top.length - 1].similarity)) continue;
      let at = top.length;
      while (at > 0 && top[at - 1].similarity < s) at--;
      top.splice(at, 0, { id: this.ids[l]!, similarity: s, expiresAt: this.expires[l] });
      if (top.length > limit) top.pop();
    }
    return top;
  }

  private searchHnsw(vector: Float32Array, now: number, limit: number, minSimilarity: number): VectorMatch[] {
    // Ask for a few extra so entries that expired since the last sweep do not crowd out live ones.
    const k = Math.min(this.labels.size, limit * 2 + 2);
    const { neighbors, distances } = this.hnsw!.searchKnn(Array.from(vector), k);
    const out: VectorMatch[] = [];
    for (let i = 0; i < neighbors.length && out.length < limit; i++) {
      const label = neighbors[i];
      const similarity = 1 - distances[i];
      const id = this.ids[label];
      if (id === null || this.expires[label] <= now || similarity < minSimilarity) continue;
      out.push({ id, similarity, expiresAt: this.expires[label] });
    }
    return out;
  }

  private write(label: number, vector: Float32Array): void {
    if (this.hnsw) {
      this.ensureHnswCapacity();
      this.hnsw.addPoint(Array.from(vector), label);
    } else this.flat!.set(vector, label * this.dims);
  }

  private grow(labels: number): void {
    if (labels <= this.expires.length) {
      if (this.flat && this.flat.length < labels * this.dims) this.growFlat(labels);
      return;
    }
    const cap = Math.max(labels, this.expires.length * 2);
    const e = new Float64Array(cap);
    e.set(this.expires);
    this.expires = e;
    if (this.flat) this.growFlat(cap);
  }

  private growFlat(labels: number): void {
    const f = new Float32Array(Math.max(labels, (this.flat!.length / this.dims) * 2) * this.dims);
    f.set(this.flat!);
    this.flat = f;
  }

  private ensureHnswCapacity(): void {
    const h = this.hnsw!;
    if (h.getCurrentCount() >= h.getMaxElements()) h.resizeIndex(Math.ceil(h.getMaxElements() * 1.5) + 1024);
  }

  /** Moves a scan partition into a fresh HNSW index (keeps labels). */
  toHnsw(): void {
    if (this.hnsw) return;
    this.hnsw = Partition.newIndex(this.dims, Math.max(4096, this.ids.length * 2), this.tuning);
    const flat = this.flat!;
    for (let l = 0; l < this.ids.length; l++) this.hnsw.addPoint(Array.from(flat.subarray(l * this.dims, (l + 1) * this.dims)), l);
    this.flat = null;
  }

  static newIndex(dims: number, capacity: number, tuning: PartitionTuning): HierarchicalNSW {
    const index = new HierarchicalNSW('ip', dims);
    index.initIndex({ maxElements: capacity, m: tuning.m, efConstruction: tuning.efConstruction, randomSeed: 100 });
    index.setEf(tuning.efSearch);
    return index;
  }

  /** Rebuilds label bookkeeping after a load. */
  adopt(ids: (string | null)[], expires: Float64Array): void {
    this.ids = ids;
    this.expires = expires;
    this.labels.clear();
    this.free = [];
    ids.forEach((id, l) => {
      if (id === null) this.free.push(l);
      else this.labels.set(id, l);
    });
  }
}
