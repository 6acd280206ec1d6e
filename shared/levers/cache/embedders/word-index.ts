import { isUtf8 } from 'node:buffer';

/**
 * word → index over the vocabulary's UTF-8 blob, without a JS string per
 * word: an open-addressing hash table (linear probing, load ≤ 0.5) whose
 * Uint32Array slots hold `index + 1` (0 = empty), keys compared byte by byte
 * against the blob. For the full GloVe vocabulary this is ~4 MB of slots
 * instead of ~25 MB of heap for a `Map<string, number>` plus a `string[]`
 * (hundreds of thousands of strings the garbage collector must trace).
 *
 * Same answers as the Map it replaces (`decode(word i) → first i`): a word
 * that appears twice maps to its first index, and the rare entry whose
 * bytes are not valid UTF-8 (our converter never writes one) is kept in a
 * small Map under its decoded string, the smaller index winning.
 */
export class WordIndex {
  private readonly slots: Uint32Array;
  private readonly mask: number;
  /** Scratch for encoding a non-ASCII query (grown on demand). */
  private scratch = new Uint8Array(256);
  /** Entries whose bytes are not valid UTF-8, by decoded string (normally empty). */
  private readonly invalid = new Map<string, number>();

  constructor(
    /** The words' UTF-8 bytes, back to back. */
    private readonly blob: Uint8Array,
    /** count + 1 offsets into `blob`: word i is blob[offsets[i], offsets[i + 1]). */
    private readonly offsets: Uint32Array,
  ) {
    const count = offsets.length - 1;
    let size = 16;
    while (size < count * 2) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < count; i++) {
      const start = offsets[i];
      const end = offsets[i + 1];
      if (!isAscii(blob, start, end) && !isUtf8(blob.subarray(start, end))) {
        const w = Buffer.from(blob.buffer, blob.byteOffset + start, end - start).toString('utf8');
        if (!this.invalid.has(w)) this.invalid.set(w, i);
        continue;
      }
      let slot = hashBytes(blob, start, end) & this.mask;
      let duplicate = false;
      while (this.slots[slot] !== 0) {
        if (this.equalsEntry(this.slots[slot] - 1, blob, start, end)) {
          duplicate = true; // first occurrence wins, as with Map#has before set
          break;
        }
        slot = (slot + 1) & this.mask;
      }
      if (!duplicate) this.slots[slot] = i + 1;
    }
  }

  /** Number of words (including duplicates). */
  get count(): number {
    return this.offsets.length - 1;
  }

  /** Bytes held by the table itself (slots), for memory accounting. */
  get tableBytes(): number {
    return this.slots.byteLength;
  }

  /** The index of `word` (its first occurrence), or undefined. */
  get(word: string): number | undefined {
    const n = word.length;
    let ascii = true;
    for (let k = 0; k < n; k++) {
      if (word.charCodeAt(k) >= 0x80) {
        ascii = false;
        break;
      }
    }
    const found = ascii ? this.findAscii(word) : this.findEncoded(word);
    if (this.invalid.size === 0) return found;
    const other = this.invalid.get(word);
    if (other === undefined) return found;
    return found === undefined ? other : Math.min(found, other);
  }

  /** Word `i`, decoded (a fresh string; for tests and diagnostics, not the hot path). */
  word(i: number): string {
    const start = this.offsets[i];
    return Buffer.from(this.blob.buffer, this.blob.byteOffset + start, this.offsets[i + 1] - start).toString('utf8');
  }

  private findAscii(word: string): number | undefined {
    const n = word.length;
    let h = FNV_OFFSET;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ word.charCodeAt(k), FNV_PRIME);
    const { blob, offsets, slots, mask } = this;
    for (let slot = (h >>> 0) & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const i = slots[slot] - 1;
      const start = offsets[i];
      if (offsets[i + 1] - start !== n) continue;
      let k = 0;
      while (k < n && blob[start + k] === word.charCodeAt(k)) k++;
      if (k === n) return i;
    }
    return undefined;
  }

  private findEncoded(word: string): number | undefined {
    // A lone surrogate has no UTF-8 form: no valid entry decodes to it.
    if (hasLoneSurrogate(word)) return undefined;
    if (this.scratch.length < word.length * 3) this.scratch = new Uint8Array(word.length * 3);
    const bytes = this.scratch;
    const n = ENCODER.encodeInto(word, bytes).written;
    const h = hashBytes(bytes, 0, n);
    const { slots, mask } = this;
    for (let slot = h & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.equalsEntry(slots[slot] - 1, bytes, 0, n)) return slots[slot] - 1;
    }
    return undefined;
  }

  private equalsEntry(i: number, bytes: Uint8Array, start: number, end: number): boolean {
    const at = this.offsets[i];
    const n = end - start;
    if (this.offsets[i + 1] - at !== n) return false;
    const blob = this.blob;
    for (let k = 0; k < n; k++) if (blob[at + k] !== bytes[start + k]) return false;
    return true;
  }
}

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
const ENCODER = new TextEncoder();

/** FNV-1a over bytes (for ASCII the same as over char codes, so ASCII queries need no encoding). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k], FNV_PRIME);
  return h >>> 0;
}

function hasLoneSurrogate(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return true; // low surrogate without a high one
    const next = s.charCodeAt(k + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
    k++;
  }
  return false;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (bytes[k] >= 0x80) return false;
  return true;
}
