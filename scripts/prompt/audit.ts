/**
 * Offline prompt audit.
 *
 *   npm run prompt:audit -- FILE [--out PROPOSED.txt] [--near 0.7] [--long-example 250]
 *
 * Prints one JSON line: tokens per section, exact and near-duplicate
 * instructions with line numbers, over-long examples, formatting overhead,
 * and the proposed compression's size. Writes the proposed compressed prompt
 * to FILE.compressed.txt (or --out); run `prompt:regress` on it before use.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditPrompt } from '../../shared/levers/compression/prompt-audit';
import { sha256Hex } from '../../shared/levers/compression/prompt-hash';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, near: { type: 'string' }, 'long-example': { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: npm run prompt:audit -- FILE [--out PROPOSED.txt]\n');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const audit = auditPrompt(text, {
  nearThreshold: values.near ? Number(values.near) : undefined,
  longExampleTokens: values['long-example'] ? Number(values['long-example']) : undefined,
});
const out = values.out ?? `${file}.compressed.txt`;
writeFileSync(out, audit.proposed.text);
const { text: _proposedText, ...proposed } = audit.proposed;
process.stdout.write(`${JSON.stringify({ file, original_sha256: sha256Hex(text), ...audit, proposed: { ...proposed, file: out, compressed_sha256: sha256Hex(audit.proposed.text) } })}\n`);
