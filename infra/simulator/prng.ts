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

/** Random alphanumeric string, the shape of provider ids (`chatcmpl-…`, `msg_01…`). */
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i] % ALNUM.length];
  return out;
}

/** Random lowercase hex, for request ids and fingerprints. */
export function randomHex(prefix: string, length: number): string {
  return prefix + randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
