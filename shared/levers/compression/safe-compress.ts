/**
 * Online prompt compression that cannot change meaning, by construction:
 *
 * - fenced code blocks (``` or ~~~) are never touched, nor is anything after
 *   an unclosed fence;
 * - lines indented by a tab or 4+ spaces (code, YAML, Python) keep their
 *   trailing whitespace too;
 * - elsewhere: trailing spaces/tabs are removed, and runs of 3 or more blank
 *   lines become one blank line (Markdown renders both the same);
 * - with `dedupe` (system prompts only): a later exact copy of a non-empty
 *   line of at least `minDedupeWords` words is dropped — unless it is a table
 *   row, a heading, a dialogue/example label line ("User: …", "Q: …") or
 *   inside an <example> block, where repetition is data, not instruction.
 *
 * Inner runs of spaces are left alone (alignment, ASCII tables).
 */

export interface SafeCompressOptions {
  /** Drop later exact duplicate lines; default false (turn it on for system prompts). */
  dedupe?: boolean;
  /** Minimum words for a line to be deduplicated; default 6. */
  minDedupeWords?: number;
  /** Lines already seen (shared across the parts of one system prompt). */
  seen?: Set<string>;
}

export interface SafeCompressResult {
  text: string;
  trailingSpaceLines: number;
  blankLinesRemoved: number;
  /** 1-based line numbers (in the input) of dropped duplicate lines. */
  duplicateLines: number[];
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const LABEL_LINE = /^\s*(?:[-*+]\s+)?(?:user|assistant|human|ai|system|customer|agent|input|output|q|a|question|answer|example|response|query)\s*\d*\s*:/i;
const EXAMPLE_OPEN = /<(example|examples|sample)[\s>]/i;
const EXAMPLE_CLOSE = /<\/(example|examples|sample)>/i;

export function safeCompress(input: string, options: SafeCompressOptions = {}): SafeCompressResult {
  const minWords = options.minDedupeWords ?? 6;
  const seen = options.seen ?? new Set<string>();
  const lines = input.split('\n');
  const out: string[] = [];
  let fence: { char: string; len: number } | null = null;
  let exampleDepth = 0;
  let blankRun = 0;
  let trailingSpaceLines = 0;
  let blankLinesRemoved = 0;
  const duplicateLines: number[] = [];

  lines.forEach((raw, index) => {
    if (fence) {
      out.push(raw);
      const close = raw.match(/^ {0,3}(`{3,}|~{3,})\s*\r?$/);
      if (close && close[1][0] === fence.char && close[1].length >= fence.len) fence = null;
      blankRun = 0;
      return;
    }
    const open = raw.match(FENCE_OPEN);
    if (open) {
      fence = { char: open[1][0], len: open[1].length };
      out.push(raw);
      blankRun = 0;
      return;
    }
    const cr = raw.endsWith('\r') ? '\r' : '';
    const body = cr ? raw.slice(0, -1) : raw;
    const indented = /^(\t| {4,})\S/.test(body);
    let line = body;
    if (!indented) {
      const stripped = body.replace(/[ \t]+$/, '');
      if (stripped !== body) trailingSpaceLines++;
      line = stripped;
    }
    if (line.trim() === '') {
      blankRun++;
      // Keep the first blank line of a run; a run of 3+ becomes one; runs of 2 stay as they are.
      const runLength = countBlankRun(lines, index - blankRun + 1);
      if (runLength >= 3 && blankRun > 1) {
        blankLinesRemoved++;
        return;
      }
      out.push(indented ? raw : line + cr);
      return;
    }
    blankRun = 0;
    if (EXAMPLE_OPEN.test(line)) exampleDepth++;
    if (options.dedupe && exampleDepth === 0 && isDedupable(line, minWords)) {
      const key = line.trim();
      if (seen.has(key)) {
        duplicateLines.push(index + 1);
        return;
      }
      seen.add(key);
    }
    if (EXAMPLE_CLOSE.test(line)) exampleDepth = Math.max(0, exampleDepth - 1);
    out.push(line + cr);
  });
  return { text: out.join('\n'), trailingSpaceLines, blankLinesRemoved, duplicateLines };
}

function countBlankRun(lines: string[], start: number): number {
  let n = 0;
  for (let i = start; i < lines.length && lines[i].trim() === ''; i++) n++;
  return n;
}

function isDedupable(line: string, minWords: number): boolean {
  const t = line.trim();
  if (t.startsWith('|') || t.startsWith('#') || t.startsWith('>') || LABEL_LINE.test(t)) return false;
  if (/^(\t| {4,})/.test(line)) return false;
  return t.split(/\s+/).length >= minWords;
}
