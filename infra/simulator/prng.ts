import { createHash, randomBytes } from 'node:crypto';

/**
 * Deterministic randomness for the simulator: every "model decision" is drawn
 * from a PRNG seeded by a hash of the prompt, so the same request always gets
 * the same answer, while ids stay random like the real APIs'.
 */

/** 32-bit seed from arbitrary text (first 4 bytes of its SHA-1). */
export function seedOf(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32LE(0);
}

/** mulberry32: tiny, fast and good enough for picking words. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

// Ids are drawn from a pooled random buffer: one randomBytes call per 8 KB instead of one per id.
const POOL_SIZE = 8192;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function takeRandom(count: number): number {
  if (poolOffset + count > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += count;
  return at;
}

/** Random alphanumeric string, the shape of provider ids (`chatcmpl-…`, `msg_01…`). */
export function randomId(prefix: string, length: number): string {
  const at = takeRandom(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALNUM[pool[at + i] % ALNUM.length];
  return out;
}

/** Random lowercase hex, for request ids and event ids. */
export function randomHex(prefix: string, length: number): string {
  const at = takeRandom(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += HEX[pool[at + i] & 15];
  return out;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
