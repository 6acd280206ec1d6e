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
