/**
 * Feature hashing. FNV-1a (32-bit) over UTF-16 code units: deterministic
 * across runs and platforms, no allocation, and fast enough that hashing a
 * few hundred tokens stays in the microseconds.
 */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Re-mixes a hash with a block id, so one feature can live in several weight blocks. */
export function mixBlock(hash: number, block: number): number {
  let h = (hash ^ Math.imul(block + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A set of 32-bit hashes that remembers insertion order, reused from call to call: what a `Set<number>`
 * gives, without its allocations (hashes ≥ 2^30 are heap numbers in V8, one allocation per entry).
 * Open addressing with linear probing; `clear` is O(1) (a generation stamp per slot).
 */
export class HashOrderSet {
  private keys = new Uint32Array(1024);
  private stamps = new Uint32Array(1024);
  private generation = 1;
  /** Members in insertion order (the first `size` entries). */
  order = new Uint32Array(512);
  size = 0;

  clear(): void {
    this.size = 0;
    this.generation++;
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  add(h: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const { keys, stamps, generation } = this;
    const mask = keys.length - 1;
    let slot = mixBlock(h, 0) & mask;
    while (stamps[slot] === generation) {
      if (keys[slot] === h) return;
      slot = (slot + 1) & mask;
    }
    stamps[slot] = generation;
    keys[slot] = h;
    this.order[this.size++] = h;
  }

  private grow(): void {
    const members = this.order.slice(0, this.size);
    this.keys = new Uint32Array(this.keys.length * 2);
    this.stamps = new Uint32Array(this.keys.length);
    this.order = new Uint32Array(this.keys.length / 2);
    this.generation = 1;
    this.size = 0;
    for (const h of members) this.add(h);
  }
}
