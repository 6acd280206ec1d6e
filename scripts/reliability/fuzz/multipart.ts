import fc from 'fast-check';
import { anyJson, chatTemplate, invalidUtf8 } from './payloads';

/**
 * Uploads for POST /v1/files: JSONL files with good and bad lines, and
 * multipart bodies that are broken in every way a parser can meet.
 */

/** One line of a batch input file: good, or broken in one of the ways the intake must survive. */
export const jsonlLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 50 }).map((i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions', body: chatTemplate(`fuzz batch line ${i}`) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'undefined') },
  { weight: 1, arbitrary: anyJson.map((body) => JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body })) },
  { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', '', 'post').map((method) => JSON.stringify({ custom_id: 'm', method, url: '/v1/chat/completions', body: chatTemplate('m') })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('/v1/embeddings', '/../v1/chat/completions', '', 'http://x/').map((url) => JSON.stringify({ custom_id: 'u', method: 'POST', url, body: chatTemplate('u') })),
  },
  { weight: 1, arbitrary: anyJson.map((custom_id) => JSON.stringify({ custom_id, method: 'POST', url: '/v1/chat/completions', body: chatTemplate('id') })) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '\uFEFF{}', '{"custom_id":', '[]', 'null', `{"custom_id":"${'z'.repeat(300)}"}`) },
);

/** The content of a JSONL file (as bytes; sometimes with invalid UTF-8 or CRLF). */
export const jsonlFile: fc.Arbitrary<Buffer> = fc
  .tuple(fc.array(jsonlLine, { minLength: 0, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.option(invalidUtf8, { freq: 5 }))
  .map(([lines, eol, bad]) => {
    const text = Buffer.from(lines.join(eol) + (lines.length ? eol : ''));
    return bad ? Buffer.concat([text.subarray(0, text.length >> 1), bad, text.subarray(text.length >> 1)]) : text;
  });

export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

function part(boundary: string, name: string, value: Buffer, filename?: string, type = 'application/jsonl'): Buffer {
  const head = filename !== undefined ? `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n` : `Content-Disposition: form-data; name="${name}"\r\n`;
  return Buffer.concat([Buffer.from(`--${boundary}\r\n${head}\r\n`), value, Buffer.from('\r\n')]);
}

/** A multipart upload: well-formed with a hostile file, or malformed itself. */
export const multipartArb: fc.Arbitrary<MultipartBody> = fc
  .tuple(
    jsonlFile,
    fc.constantFrom('batch', 'fine-tune', '', 'assistants', '../batch', 'batch\u0000'),
    fc.constantFrom('input.jsonl', '../../etc/passwd', '..\\..\\x', '', 'a'.repeat(500), 'x\r\nContent-Type: text/html', 'ñ.jsonl', '%00.jsonl'),
    fc.constantFrom('ok', 'no-boundary', 'wrong-boundary', 'truncated', 'no-file', 'no-purpose', 'two-files', 'purpose-first', 'huge-field', 'garbage', 'file-as-field', 'unclosed-quote'),
  )
  .map(([content, purpose, filename, shape]): MultipartBody => {
    const boundary = `----fuzz${content.length}x${shape.length}`;
    const ct = `multipart/form-data; boundary=${boundary}`;
    const end = Buffer.from(`--${boundary}--\r\n`);
    const file = part(boundary, 'file', content, filename);
    const purposePart = part(boundary, 'purpose', Buffer.from(purpose));
    switch (shape) {
      case 'no-boundary':
        return { contentType: 'multipart/form-data', body: Buffer.concat([file, purposePart, end]) };
      case 'wrong-boundary':
        return { contentType: 'multipart/form-data; boundary=other', body: Buffer.concat([file, purposePart, end]) };
      case 'truncated':
        return { contentType: ct, body: Buffer.concat([purposePart, file]).subarray(0, Math.max(1, (file.length + purposePart.length) >> 1)) };
      case 'no-file':
        return { contentType: ct, body: Buffer.concat([purposePart, end]) };
      case 'no-purpose':
        return { contentType: ct, body: Buffer.concat([file, end]) };
      case 'two-files':
        return { contentType: ct, body: Buffer.concat([purposePart, file, file, end]) };
      case 'huge-field':
        return { contentType: ct, body: Buffer.concat([part(boundary, 'purpose', Buffer.alloc(2 * 1024 * 1024, 'p')), file, end]) };
      case 'garbage':
        return { contentType: ct, body: content };
      case 'file-as-field':
        return { contentType: ct, body: Buffer.concat([purposePart, part(boundary, 'file', content), end]) };
      case 'unclosed-quote':
        return { contentType: ct, body: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file; filename="x\r\n\r\n`), content, end]) };
      case 'purpose-first':
        return { contentType: ct, body: Buffer.concat([purposePart, file, end]) };
      default:
        return { contentType: ct, body: Buffer.concat([file, purposePart, end]) };
    }
  });
