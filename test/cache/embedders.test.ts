import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Catalog } from '../../shared/core/catalog/catalog';
import { dot } from '../../shared/levers/cache/embedders/embedder';
import { OpenAIEmbedder } from '../../shared/levers/cache/embedders/openai-embedder';
import { WordVectorEmbedder } from '../../shared/levers/cache/embedders/word-vector-embedder';
import type { WordIndex } from '../../shared/levers/cache/embedders/word-index';
import { convertWinkJson, readWordVectorFile, type WordVectors } from '../../shared/levers/cache/embedders/word-vector-file';
import { cacheFixture } from './cache-stage-fixture';
import { answer, chat, pipelineContext, tempDir, testEmbedder, testRedis } from './cache-test-helpers';

describe('word-vector file conversion', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  test('converts the package JSON format (escapes, exponents) into the compact file, in frequency order', () => {
    const src = `${tmp.dir}/mini.json`;
    const vec = (seed: number, rank: number) => [...Array.from({ length: 4 }, (_, d) => (seed + d) / 10), 1, rank];
    writeFileSync(
      src,
      JSON.stringify({
        precision: 8,
        l2NormIndex: 4,
        wordIndex: 5,
        size: 3,
        dimensions: 4,
        words: ['the', 'say "hi"', 'tiny'],
        vectors: { 'say "hi"': vec(1, 1), the: vec(2, 0), tiny: [1e-5, -2.5e-3, 0.5, -0.25, 1, 2] },
        unkVector: [0, 0, 0, 0, 0, -1],
      }),
    );
    convertWinkJson(src, `${tmp.dir}/mini.bin`);
    const wv = readWordVectorFile(`${tmp.dir}/mini.bin`);
    expect(wv.dims).toBe(4);
    expect(wordsOf(wv)).toEqual(['the', 'say "hi"', 'tiny']);
    const value = (w: string, d: number) => wv.vectors[wv.index.get(w)! * 4 + d] * wv.scales[wv.index.get(w)!];
    expect(value('the', 3)).toBeCloseTo(0.5, 2);
    expect(value('tiny', 2)).toBeCloseTo(0.5, 2);
    expect(value('tiny', 1)).toBeCloseTo(-2.5e-3, 2);
    convertWinkJson(src, `${tmp.dir}/top2.bin`, 2);
    expect(wordsOf(readWordVectorFile(`${tmp.dir}/top2.bin`))).toEqual(['the', 'say "hi"']);
  });

  test('a truncated file is refused, not read as zeros', () => {
    writeFileSync(`${tmp.dir}/cut.bin`, readFileSync(`${tmp.dir}/mini.bin`).subarray(0, 40));
    expect(() => readWordVectorFile(`${tmp.dir}/cut.bin`)).toThrow(/truncated/);
  });
});

const wordsOf = (wv: WordVectors) => Array.from({ length: wv.count }, (_, i) => wv.index.word(i));

/**
 * The lookup the compact index replaced, kept here as the reference: decode
 * every word of the file into a string and keep its first index in a Map.
 */
function referenceMap(file: string): { words: string[]; map: Map<string, number> } {
  const buf = readFileSync(file);
  const dims = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  const offsetsAt = 24 + count * 4 + count * dims;
  const blobAt = offsetsAt + (count + 1) * 4;
  const words: string[] = [];
  const map = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const w = buf.toString('utf8', blobAt + buf.readUInt32LE(offsetsAt + i * 4), blobAt + buf.readUInt32LE(offsetsAt + (i + 1) * 4));
    words.push(w);
    if (!map.has(w)) map.set(w, i);
  }
  return { words, map };
}

/** A word-vector file written byte by byte (the converter only writes valid UTF-8; this can write anything). */
function rawWordFile(path: string, words: Buffer[], dims = 2): void {
  const count = words.length;
  const header = Buffer.alloc(24);
  header.write('PRSMWV01', 0, 'latin1');
  header.writeUInt32LE(dims, 8);
  header.writeUInt32LE(count, 12);
  header.writeUInt32LE(
    words.reduce((s, w) => s + w.length, 0),
    16,
  );
  const scales = Buffer.alloc(count * 4);
  const vectors = Buffer.alloc(count * dims);
  const offsets = Buffer.alloc((count + 1) * 4);
  let o = 0;
  words.forEach((w, i) => {
    scales.writeFloatLE(1 + i, i * 4);
    for (let d = 0; d < dims; d++) vectors.writeInt8((i * 7 + d) % 100, i * dims + d);
    offsets.writeUInt32LE(o, i * 4);
    o += w.length;
  });
  offsets.writeUInt32LE(o, count * 4);
  writeFileSync(path, Buffer.concat([header, scales, vectors, offsets, ...words]));
}

describe('compact word index (replaces a Map<string, number> over the vocabulary)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());
  const misses = ['', 'zorblaxian', 'th', 'thee', 'The', 'café', 'naïve', '😀', '\ud800', 'a\udc00b', 'x'.repeat(300)];

  test('returns the same index as the old Map for every word of a 20,000-word vocabulary, and the same misses', () => {
    const dir = `${tmpdir()}/parsimony-test-embeddings`;
    const small = WordVectorEmbedder.load({ dataDir: dir, maxWords: 20_000 });
    const { words, map } = referenceMap(`${dir}/wink-sg-100d.top20000.i8.bin`);
    expect(words).toHaveLength(20_000);
    const differing = words.filter((w) => small.vectors.index.get(w) !== map.get(w));
    expect(differing).toEqual([]);
    expect(wordsOf(small.vectors)).toEqual(words);
    for (const w of [...misses, ...words.slice(0, 200).map((x) => `${x}s`)]) expect(small.vectors.index.get(w)).toBe(map.get(w));
  });

  test('duplicates keep their first index; non-ASCII, empty and invalid UTF-8 words answer as the decoded Map did', () => {
    const file = `${tmp.dir}/odd.bin`;
    const words = [
      Buffer.from('the'),
      Buffer.from('café'),
      Buffer.from('the'),
      Buffer.from([0x61, 0xff]), // invalid UTF-8: decodes to "a\ufffd"
      Buffer.from('a\ufffd'), // valid, decodes to the same string, later index
      Buffer.from([0xc3]), // truncated sequence: decodes to "\ufffd"
      Buffer.from('\ufffd'),
      Buffer.from('😀'),
      Buffer.from(''),
      Buffer.from('café'),
      Buffer.from('日本語'),
    ];
    rawWordFile(file, words);
    const wv = readWordVectorFile(file);
    const { words: decoded, map } = referenceMap(file);
    for (const w of [...decoded, ...misses]) expect([w, wv.index.get(w)]).toEqual([w, map.get(w)]);
    expect(wv.index.get('the')).toBe(0);
    expect(wv.index.get('a\ufffd')).toBe(3);
    expect(wv.index.get('\ufffd')).toBe(5);
    expect(wv.index.get('café')).toBe(1);
    expect(wordsOf(wv)).toEqual(decoded);
  });

  test('the embedder’s vectors are bit-identical to the Map-based lookup’s', () => {
    const e = testEmbedder();
    const file = `${tmpdir()}/parsimony-test-embeddings/wink-sg-100d.i8.bin`;
    const { map } = referenceMap(file);
    const reference = new WordVectorEmbedder({ ...e.vectors, index: map as unknown as WordIndex });
    const texts = [
      'How do I lose weight fast?',
      'Ticket #42 from customer 7919: I am writing about a delayed order. It has been 3 days and nobody answered.',
      'Qu’est-ce que la café naïve à Zürich? 日本語のテキスト 😀',
      "Don't Zorblaxian the qwertonic, it's 3.5rd of 1,000th",
    ];
    for (const t of texts) expect(Buffer.from(e.embedSync(t).buffer)).toEqual(Buffer.from(reference.embedSync(t).buffer));
  });
});

describe('embedded word-vector embedder', () => {
  const e = testEmbedder();
  const sim = (a: string, b: string) => dot(e.embedSync(a), e.embedSync(b));

  test('paraphrases are closer than unrelated questions; vectors are unit length and deterministic', () => {
    expect(sim('How do I lose weight fast?', 'How can I lose weight quickly?')).toBeGreaterThan(sim('How do I lose weight fast?', 'What is the capital of Peru?') + 0.2);
    const v = e.embedSync('hello world');
    expect(dot(v, v)).toBeCloseTo(1, 5);
    expect(Array.from(e.embedSync('hello world'))).toEqual(Array.from(v));
  });

  test('out-of-vocabulary words still count (character n-grams), and spelling variants stay close', () => {
    expect(e.rankOf('zorblaxian')).toBeUndefined();
    expect(sim('Is Zorblaxian better than Qwertonic?', 'Is Zorblaxian better than Plimbusk?')).toBeLessThan(0.99);
    expect(sim('Qwertonic', 'Qwertonik')).toBeGreaterThan(sim('Qwertonic', 'Plimbusk'));
  });

  test('the fingerprint carries model, recipe and dimension; embedding is free', async () => {
    expect(e.fingerprint).toBe('wink-sg-100d-sif1-100d');
    expect((await e.embed(['a'])).costUsd).toBe(0);
    expect(e.paid).toBe(false);
  });

  test('loads a small vocabulary when asked (converted once per data dir)', () => {
    const small = WordVectorEmbedder.load({ dataDir: `${tmpdir()}/parsimony-test-embeddings`, maxWords: 20_000 });
    expect(small.vectors.count).toBe(20_000);
    expect(small.rankOf('the')).toBe(0);
  });
});

describe('OpenAI-compatible embedder (real HTTP, official SDK)', () => {
  let server: Server;
  let baseURL = '';
  let calls = 0;
  const dims = 6;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls++;
        const input = JSON.parse(body).input as string[];
        const data = input.map((text, index) => ({
          object: 'embedding',
          index,
          // A bag-of-letters vector: deterministic, similar texts get similar vectors.
          embedding: Array.from({ length: dims }, (_, d) => 1 + [...text.toLowerCase()].filter((ch) => ch.charCodeAt(0) % dims === d).length),
        }));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data, model: 'test-embed', usage: { prompt_tokens: 1000 * input.length, total_tokens: 1000 * input.length } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  }, 120_000);
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('returns unit vectors and prices the call from usage', async () => {
    const e = new OpenAIEmbedder({ model: 'test-embed', dimensions: dims, baseURL, apiKey: 'k', pricePerMillionTokens: 0.02 });
    const res = await e.embed(['hello', 'world']);
    expect(res.vectors).toHaveLength(2);
    expect(dot(res.vectors[0], res.vectors[0])).toBeCloseTo(1, 5);
    expect(res.costUsd).toBeCloseTo((2000 * 0.02) / 1e6, 12);
    expect(e.fingerprint).toBe('test-embed-6d');
  });

  test('a dimension mismatch is an error, never silently mixed', async () => {
    const e = new OpenAIEmbedder({ model: 'test-embed', dimensions: 12, baseURL, apiKey: 'k' });
    await expect(e.embed(['x'])).rejects.toThrow(/12/);
  });

  test('a paid embedder’s lookup spend goes on the job ledger, and the writer reuses the paid vector', async () => {
    const r = testRedis('openai-embedder');
    try {
      const e = new OpenAIEmbedder({ model: 'test-embed', dimensions: dims, baseURL, apiKey: 'k', pricePerMillionTokens: 0.02, threshold: 0.5 });
      const f = cacheFixture(r.redis, r.prefix, { embedder: e });
      const ctx = pipelineContext('paid', chat('What is the refund policy?'));
      const before = calls;
      await f.serve(ctx, answer('30 days'));
      expect(calls - before).toBe(1); // lookup embedded once; the writer took the parked vector
      expect(f.enqueued[0].vector_key).toBeDefined();
      const catalog = Catalog.load();
      const priced = ctx.ledger.price(catalog, catalog.get('gpt-4.1-mini'), answer('').usage);
      expect(priced.overhead_usd).toBeCloseTo((1000 * 0.02) / 1e6, 10);
    } finally {
      await r.cleanup();
    }
  });
});
