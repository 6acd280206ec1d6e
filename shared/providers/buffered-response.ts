/**
 * A `Response` whose body is already in memory, read without the web stream.
 * `new Response(buffer)` wraps the bytes in a ReadableStream and `json()` then
 * pulls them back through it (stream, reader, promise per chunk): ~85 µs of
 * CPU per provider call, a quarter of what the SDK call costs on top of the
 * HTTP request itself. `text()` / `json()` / `arrayBuffer()` / `blob()`
 * decode the bytes directly; `body` is still a stream of the same bytes for
 * any caller that wants one (made when first looked at, used when first read);
 * a body is readable once, as with fetch. Everything else (status, headers, ok) is the real Response's.
 */
type BodyMembers = 'body' | 'bodyUsed' | 'text' | 'json' | 'arrayBuffer' | 'blob' | 'clone';
/** Response as a base class whose body members this class redefines (the DOM typings declare them as properties). */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => Omit<Response, BodyMembers>;

/** A Response over bytes already read (see the file comment); `instanceof Response` holds. */
export function bufferedResponse(bytes: Buffer, init: ResponseInit): Response {
  return new BufferedResponse(bytes, init) as unknown as Response;
}

class BufferedResponse extends ResponseBase {
  readonly #bytes: Buffer;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null = null;

  constructor(bytes: Buffer, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    // Made on first access, read on first pull: looking at `body` (the SDKs do, to watch it) neither reads nor uses it.
    this.#stream ??= new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const first = !this.#used;
          this.#used = true;
          const bytes = this.#bytes;
          if (first && bytes.length) controller.enqueue(new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
          controller.close();
        },
      },
      // No read-ahead: pull runs when a reader asks, not when the stream is made.
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  text(): Promise<string> {
    return this.#read((b) => b.toString('utf8'));
  }

  json(): Promise<unknown> {
    return this.#read((b) => JSON.parse(b.toString('utf8')) as unknown);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#read((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }

  blob(): Promise<Blob> {
    return this.#read((b) => new Blob([new Uint8Array(b)], { type: this.headers.get('content-type') ?? '' }));
  }

  clone(): Response {
    if (this.#used || this.#stream?.locked) throw new TypeError('Response.clone: Body has already been consumed.');
    return bufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) });
  }

  #read<T>(decode: (bytes: Buffer) => T): Promise<T> {
    if (this.#used || this.#stream?.locked) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    try {
      return Promise.resolve(decode(this.#bytes));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}
