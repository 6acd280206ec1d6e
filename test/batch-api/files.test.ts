import { toFile } from 'openai';
import { startTestParsimony, type TestParsimony } from '../helpers/parsimony';
import { line, upload } from './batch-helpers';

let p: TestParsimony;
beforeAll(async () => {
  p = await startTestParsimony('batch-files', { PARSIMONY_FILE_MAX_BYTES: '4096', PARSIMONY_BODY_LIMIT: '2kb' });
}, 120_000);
afterAll(async () => {
  await p.close();
});

function form(parts: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(parts)) data.append(name, value as never);
  return data;
}

test('upload, retrieve, content, list and delete a file with the SDK', async () => {
  const text = `${line('a', 'hello')}\n${line('b', 'ünïcödé ✓')}\n`;
  const client = p.openai();
  const file = await upload(p, text, 'acme', 'nightly.jsonl');
  expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'nightly.jsonl', bytes: Buffer.byteLength(text), status: 'processed' });
  expect(file.id).toMatch(/^file-/);
  expect(await client.files.retrieve(file.id)).toEqual(file);
  expect(await (await client.files.content(file.id)).text()).toBe(text);
  const listed = await client.files.list();
  expect(listed.data.map((f) => f.id)).toContain(file.id);
  expect(await client.files.delete(file.id)).toMatchObject({ id: file.id, deleted: true });
  expect((await p.http(`/v1/files/${file.id}`)).status).toBe(404);
});

test('another tenant sees 404 for a file, its content and its deletion', async () => {
  const file = await upload(p, `${line('a', 'private')}\n`);
  for (const [path, method] of [
    [`/v1/files/${file.id}`, 'GET'],
    [`/v1/files/${file.id}/content`, 'GET'],
    [`/v1/files/${file.id}`, 'DELETE'],
  ])
    expect((await p.http(path, { method, tenant: 'globex' })).status).toBe(404);
  expect((await (await p.http('/v1/files', { tenant: 'globex' })).json()).data.map((f: { id: string }) => f.id)).not.toContain(file.id);
  expect((await p.http(`/v1/files/${file.id}`)).status).toBe(200);
});

test.each([
  ['a path traversal', '/v1/files/..%2F..%2F..%2Fetc%2Fpasswd/content'],
  ['a dotted name', '/v1/files/..%2Fpackage.json'],
  ['junk with a NUL', '/v1/files/file-abc%00def'],
  ['an over-long id', `/v1/files/file-${'a'.repeat(500)}`],
  ['a Redis key pattern', '/v1/files/file-*'],
])('junk file ids are 404: %s', async (_name, path) => {
  const res = await p.http(path);
  expect(res.status).toBe(404);
  expect((await res.json()).error.type).toBe('not_found_error');
});

test('a file over PARSIMONY_FILE_MAX_BYTES is refused with 413 and not stored', async () => {
  const big = `${line('x', 'y'.repeat(5000))}\n`;
  await expect(upload(p, big)).rejects.toMatchObject({ status: 413 });
  const before = (await (await p.http('/v1/files')).json()).data.length;
  const res = await p.http('/v1/files', { method: 'POST', body: form({ purpose: 'batch', file: new Blob([big]) }) });
  expect(res.status).toBe(413);
  expect((await res.json()).error.message).toMatch(/PARSIMONY_FILE_MAX_BYTES/);
  expect((await (await p.http('/v1/files')).json()).data.length).toBe(before);
  // Uploads are not bound by the JSON body limit (2kb here), only by the file limit.
  const fits = 'z'.repeat(3000);
  expect((await upload(p, `${line('x', fits)}\n`)).bytes).toBeGreaterThan(3000);
});

test.each([
  ['no multipart', () => ({ body: JSON.stringify({ purpose: 'batch' }), headers: { 'content-type': 'application/json' } }), /multipart/],
  ['no file', () => ({ body: form({ purpose: 'batch' }) }), /file/],
  ['no purpose', () => ({ body: form({ file: new Blob(['{}\n']) }) }), /purpose/],
  ['another purpose', () => ({ body: form({ purpose: 'fine-tune', file: new Blob(['{}\n']) }) }), /purpose/],
  ['an empty file', () => ({ body: form({ purpose: 'batch', file: new Blob([]) }) }), /empty/],
])('bad uploads are 400: %s', async (_name, init, message) => {
  const res = await p.http('/v1/files', { method: 'POST', ...(init() as RequestInit) });
  expect(res.status).toBe(400);
  expect((await res.json()).error.message).toMatch(message);
});

test('purpose may come before or after the file part', async () => {
  const data = new FormData();
  data.append('file', new Blob([`${line('a', 'b')}\n`]), 'first.jsonl');
  data.append('purpose', 'batch');
  const res = await p.http('/v1/files', { method: 'POST', body: data });
  expect(res.status).toBe(200);
  expect((await res.json()).filename).toBe('first.jsonl');
  const sdk = await p.openai().files.create({ purpose: 'batch', file: await toFile(Buffer.from('{}\n'), 'second.jsonl') });
  expect(sdk.filename).toBe('second.jsonl');
});

test('files list pages with after/limit', async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await upload(p, `${line(`p${i}`, 'x')}\n`, 'globex')).id);
  const first = await (await p.http('/v1/files?limit=2', { tenant: 'globex' })).json();
  expect(first.data.map((f: { id: string }) => f.id)).toEqual([ids[2], ids[1]]);
  expect(first).toMatchObject({ has_more: true, first_id: ids[2], last_id: ids[1] });
  const second = await (await p.http(`/v1/files?limit=2&after=${first.last_id}`, { tenant: 'globex' })).json();
  expect(second.data.map((f: { id: string }) => f.id)).toEqual([ids[0]]);
  expect(second.has_more).toBe(false);
});
