/** One line of a JSONL file: its 1-based number and text, or `tooLong` when it passed the limit. */
export type JsonlLine = { number: number; text: string; tooLong?: false } | { number: number; tooLong: true; bytes: number };

/**
 * Splits streamed content into lines without ever holding more than one line
 * (bounded by `maxLineBytes`) besides the current chunk. Blank lines are
 * skipped but counted, so numbers match what an editor shows; CRLF is fine.
 */
export async function* jsonlLines(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<JsonlLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflow = false;
  let number = 0;
  const take = (piece: Buffer): JsonlLine | undefined => {
    number += 1;
    const bytes = pendingBytes + piece.length;
    const wasOverflow = overflow || bytes > maxLineBytes;
    const parts = pending;
    pending = [];
    pendingBytes = 0;
    overflow = false;
    if (wasOverflow) return { number, tooLong: true, bytes };
    const text = (parts.length ? Buffer.concat([...parts, piece]) : piece).toString('utf8').replace(/\r$/, '');
    return text.trim() ? { number, text } : undefined;
  };
  for await (const chunk of chunks) {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      const line = take(chunk.subarray(start, nl));
      if (line) yield line;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pendingBytes += rest.length;
      // Past the limit the line's bytes are dropped; only its length is kept.
      if (overflow || pendingBytes > maxLineBytes) {
        overflow = true;
        pending = [];
      } else pending.push(rest);
    }
  }
  if (pendingBytes > 0) {
    const line = take(Buffer.alloc(0));
    if (line) yield line;
  }
}
