import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sha256Hex } from '../../shared/levers/compression/prompt-hash';
import { RegressionReportSchema } from '../../shared/levers/compression/variant-registry';

const run = promisify(execFile);
const root = join(__dirname, '../..');
const tsx = (script: string, args: string[]) => run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, script), ...args], { cwd: root, timeout: 90_000 });

describe('prompt scripts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'prompt-scripts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prompt:audit prints one JSON line and writes the proposed prompt next to the file', async () => {
    const file = join(dir, 'p.txt');
    const rule = 'Always confirm the booking details with the user first.';
    writeFileSync(file, `# Rules\n${rule}\n- ${rule}\n\n\n\n\nBe brief.   \n`);
    const { stdout } = await tsx('scripts/prompt/audit.ts', [file]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(report.exact_duplicates).toEqual([expect.objectContaining({ lines: [2, 3] })]);
    const proposed = readFileSync(`${file}.compressed.txt`, 'utf8');
    expect(proposed).toBe(`# Rules\n${rule}\n\nBe brief.\n`);
    expect(report.proposed.compressed_sha256).toBe(sha256Hex(proposed));
  });

  it('prompt:regress runs both prompts through the simulator and reports a registrable JSON line', async () => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    const cases = join(dir, 'cases.jsonl');
    writeFileSync(a, 'You are a terse assistant.');
    writeFileSync(b, 'You are a terse assistant.');
    writeFileSync(cases, `${JSON.stringify({ input: 'What is 2+2?' })}\n${JSON.stringify({ messages: [{ role: 'user', content: 'Name a colour.' }] })}\n`);
    const { stdout } = await tsx('scripts/prompt/regress.ts', ['--original', a, '--compressed', b, '--cases', cases]);
    const report = RegressionReportSchema.parse(JSON.parse(stdout.trim()));
    expect(report).toMatchObject({ cases: 2, agreement: 1, exact: 1, original_sha256: sha256Hex('You are a terse assistant.') });
    expect(report.tokens.original).toBeGreaterThan(0);
    expect(report.tokens.saved).toBe(0);
  });
});
