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
  /** Longest the HNSW build of a converting partition holds the event loop per turn, ms; default 1. */
  buildSliceMs: number;
}

/** An HNSW index being filled in the background; labels below `next` are in it. */
interface Build {
  index: HierarchicalNSW;
  next: number;
  timer: NodeJS.Immediate | null;
}

/**
 * The vectors of one (tenant, scope). Small partitions (most scopes) are
 * scanned exactly — at 2,048 × 100-d that is ~0.1 ms and has perfect recall;
 * a partition that grows past the threshold moves to an HNSW index (inner
 * product on unit vectors = cosine).
 *
 * The move is incremental: inserting 2,048 points into HNSW takes ~0.3 s, a
 * pause no request should wait behind. So the index is filled a slice per
 * event-loop turn (`buildSliceMs`) while the exact scan keeps answering;
 * writes to labels the build has already passed go to the index too, and the
 * partition switches to the index once the build has caught up.
 *
 * Labels are slots: in scan mode they stay dense (a delete moves the last slot
 * into the hole); from the start of a build on they are stable (the index
 * keys points by label) and a deleted slot is reused by the next insert.
 */
export class Partition {
  ids: (string | null)[] = [];
  expires: Float64Array = new Float64Array(16);
  /** Scan and build mode: vectors, `dims` floats per label. */
  flat: Float32Array | null;
  hnsw: HierarchicalNSW | null = null;
  /** Labels of deleted slots, reused first (stable labels only). */
  free: number[] = [];
  readonly labels = new Map<string, number>();
  /** Changed since its HNSW file was last written. */
  dirty = true;
  private build: Build | null = null;
  private stableLabels = false;

  constructor(
    readonly key: string,
    readonly dims: number,
    private readonly tuning: PartitionTuning,
    /** Called when a background build has switched the partition to its index (the snapshot changed). */
    private readonly onConverted?: () => void,
  ) {
    this.flat = new Float32Array(16 * dims);
  }

  get size(): number {
    return this.labels.size;
  }

  /** True while an HNSW index is being built in the background. */
  get converting(): boolean {
    return this.build !== null;
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
    const label = this.stableLabels && this.free.length > 0 ? this.free.pop()! : this.ids.length;
    if (label === this.ids.length) this.ids.push(id);
    else this.ids[label] = id;
    this.grow(label + 1);
    this.expires[label] = expiresAt;
    this.labels.set(id, label);
    this.write(label, vector);
    if (this.build) {
      // The loop is not yielding (a synchronous bulk load): finish at once rather than scan an ever larger backlog.
      if (this.ids.length - this.build.next > 2 * this.tuning.hnswThreshold) this.buildSlice(this.build, Infinity);
    } else if (this.hnsw === null && this.labels.size > this.tuning.hnswThreshold) this.startBuild();
  }

  delete(id: string): boolean {
    const label = this.labels.get(id);
    if (label === undefined) return false;
    this.dirty = true;
    this.labels.delete(id);
    if (this.stableLabels) {
      const index = this.hnsw ?? (this.build && label < this.build.next ? this.build.index : null);
      index?.markDelete(label);
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

  /** The live entries as dense arrays (scan and build mode), for a snapshot; no copy when there are no holes. */
  dense(): { ids: string[]; expires: Float64Array; flat: Float32Array } {
    const dims = this.dims;
    const flat = this.flat!;
    if (this.labels.size === this.ids.length) {
      return { ids: this.ids as string[], expires: this.expires.subarray(0, this.ids.length), flat: flat.subarray(0, this.ids.length * dims) };
    }
    const n = this.labels.size;
    const out = { ids: new Array<string>(n), expires: new Float64Array(n), flat: new Float32Array(n * dims) };
    let o = 0;
    for (let l = 0; l < this.ids.length; l++) {
      const id = this.ids[l];
      if (id === null) continue;
      out.ids[o] = id;
      out.expires[o] = this.expires[l];
      out.flat.set(flat.subarray(l * dims, (l + 1) * dims), o * dims);
      o++;
    }
    return out;
  }

  /** Stops a background build (the partition keeps answering by scan). */
  cancelBuild(): void {
    if (this.build?.timer) clearImmediate(this.build.timer);
    this.build = null;
  }

  private scan(vector: Float32Array, now: number, limit: number, minSimilarity: number): VectorMatch[] {
    const dims = this.dims;
    const flat = this.flat!;
    const top: VectorMatch[] = [];
    for (let l = 0; l < this.ids.length; l++) {
      // A hole (stable labels) has expiry 0, so this skips it too.
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
    if (this.flat) this.flat.set(vector, label * this.dims);
    // A label the build has passed must reach the index now; the others it will copy from `flat` later.
    const index = this.hnsw ?? (this.build && label < this.build.next ? this.build.index : null);
    if (index) {
      Partition.ensureCapacity(index);
      index.addPoint(Array.from(vector), label);
    }
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

  private static ensureCapacity(h: HierarchicalNSW): void {
    if (h.getCurrentCount() >= h.getMaxElements()) h.resizeIndex(Math.ceil(h.getMaxElements() * 1.5) + 1024);
  }

  /** Starts the background move into HNSW; its first slice runs now, so a small partition moves at once. */
  private startBuild(): void {
    // The index's allocation counts against this turn's slice.
    const deadline = performance.now() + this.tuning.buildSliceMs;
    this.stableLabels = true;
    this.build = { index: Partition.newIndex(this.dims, Math.max(4096, this.ids.length * 2), this.tuning), next: 0, timer: null };
    this.buildSlice(this.build, deadline);
  }

  private buildSlice(build: Build, deadline: number): void {
    if (build.timer) clearImmediate(build.timer);
    build.timer = null;
    if (this.build !== build) return;
    const flat = this.flat!;
    const dims = this.dims;
    try {
      while (build.next < this.ids.length) {
        const l = build.next;
        if (this.ids[l] !== null) {
          Partition.ensureCapacity(build.index);
          build.index.addPoint(Array.from(flat.subarray(l * dims, (l + 1) * dims)), l);
        }
        build.next = l + 1;
        if (performance.now() >= deadline) break;
      }
    } catch {
      // The scan still holds everything; the next insert starts a fresh build.
      this.build = null;
      return;
    }
    if (build.next < this.ids.length) {
      build.timer = setImmediate(() => this.buildSlice(build, performance.now() + this.tuning.buildSliceMs));
      build.timer.unref();
      return;
    }
    this.hnsw = build.index;
    this.flat = null;
    this.build = null;
    this.dirty = true;
    this.onConverted?.();
  }

  static newIndex(dims: number, capacity: number, tuning: PartitionTuning): HierarchicalNSW {
    const index = new HierarchicalNSW('ip', dims);
    index.initIndex({ maxElements: capacity, m: tuning.m, efConstruction: tuning.efConstruction, randomSeed: 100 });
    index.setEf(tuning.efSearch);
    return index;
  }

  /** Rebuilds label bookkeeping after a load (a loaded index has stable labels; a loaded scan is dense). */
  adopt(ids: (string | null)[], expires: Float64Array): void {
    this.ids = ids;
    this.expires = expires;
    this.labels.clear();
    this.free = [];
    this.stableLabels = this.hnsw !== null;
    ids.forEach((id, l) => {
      if (id === null) this.free.push(l);
      else this.labels.set(id, l);
    });
  }
}
