import { nowSeconds, randomId } from '../prng';

/**
 * In-memory OpenAI files. Content is kept as the list of Buffers it arrived
 * in (never one big string) and read back line by line, so a 200 MB batch
 * input costs its size once, not three times.
 */

export interface StoredFile {
  id: string;
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  expires_at: number | null;
  chunks: Buffer[];
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  add(filename: string, purpose: string, chunks: Buffer[], expiresAt: number | null = null): StoredFile {
    const file: StoredFile = {
      id: randomId('file-', 22),
      bytes: chunks.reduce((n, c) => n + c.length, 0),
      created_at: nowSeconds(),
      filename,
      purpose,
      expires_at: expiresAt,
      chunks,
    };
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  /** Newest first (or oldest first with order=asc). */
  all(order: 'asc' | 'desc'): StoredFile[] {
    const list = [...this.files.values()];
    return order === 'asc' ? list : list.reverse();
  }

  clear(): void {
    this.files.clear();
  }
}

export function fileObject(f: StoredFile) {
  return {
    object: 'file' as const,
    id: f.id,
    purpose: f.purpose,
    filename: f.filename,
    bytes: f.bytes,
    created_at: f.created_at,
    expires_at: f.expires_at,
    status: 'processed' as const,
    status_details: null,
  };
}

/** The lines of a file's content (1-based numbers), without their newlines; blank lines are skipped. */
export function* fileLines(chunks: readonly Buffer[]): Generator<{ line: string; number: number }> {
  let pending: Buffer[] = [];
  let number = 0;
  for (const chunk of chunks) {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      const piece = chunk.subarray(start, nl);
      const buf = pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      number += 1;
      const line = buf.toString('utf8').replace(/\r$/, '');
      if (line.trim()) yield { line, number };
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) {
    number += 1;
    const line = Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
    if (line.trim()) yield { line, number };
  }
}
