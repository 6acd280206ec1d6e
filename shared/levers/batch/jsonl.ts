/**
 * Line-by-line reading and writing of JSONL streams, so a provider's output
 * file (up to hundreds of MB) and an input file being built never sit in
 * memory whole: at most one chunk plus one partial line is held.
 */

/** The non-blank lines of a byte (or text) stream, without their newlines. */
export async function* readLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      const line = pending.slice(start, nl).replace(/\r$/, '');
      if (line.trim()) yield line;
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.trim()) yield pending.replace(/\r$/, '');
}

/** Roughly this many bytes per emitted chunk when encoding lines. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Encodes lines into Buffers of about CHUNK_BYTES: `open` + lines joined by
 * `separator` (each followed by it when `trailing`) + `close`.
 */
export async function* encodeLines(lines: AsyncIterable<string>, format: { open?: string; separator: string; trailing: boolean; close?: string }): AsyncGenerator<Buffer> {
  let parts: string[] = format.open ? [format.open] : [];
  let size = 0;
  let first = true;
  for await (const line of lines) {
    if (!format.trailing && !first) parts.push(format.separator);
    parts.push(line);
    if (format.trailing) parts.push(format.separator);
    first = false;
    size += line.length + 1;
    if (size >= CHUNK_BYTES) {
      yield Buffer.from(parts.join(''), 'utf8');
      parts = [];
      size = 0;
    }
  }
  if (format.close) parts.push(format.close);
  if (parts.length) yield Buffer.from(parts.join(''), 'utf8');
}
