import { estimateTokens } from '../context/token-estimate';
import { safeCompress } from './safe-compress';

/**
 * Offline audit of a prompt: where its tokens go and what could be cut.
 * Nothing here runs online; the proposed text must pass `prompt:regress`
 * before it is registered as an approved variant.
 */

export interface AuditOptions {
  /** Instruction units with at least this many words are compared; default 4. */
  minWords?: number;
  /** Word-set Jaccard from which two instructions are near-duplicates; default 0.7. */
  nearThreshold?: number;
  /** Examples over this many tokens are reported as over-long; default 250. */
  longExampleTokens?: number;
}

export interface InstructionUnit {
  /** 1-based line number. */
  line: number;
  text: string;
}

export interface PromptAudit {
  total_tokens: number;
  lines: number;
  sections: { title: string; start_line: number; end_line: number; tokens: number; share: number }[];
  exact_duplicates: { text: string; lines: number[]; tokens_wasted: number }[];
  near_duplicates: {
    lines: [number, number];
    similarity: number;
    a: string;
    b: string;
    /** The two differ in their numbers: likely distinct rules (e.g. tiers), not a repeat. */ numbers_differ: boolean;
  }[];
  long_examples: { start_line: number; end_line: number; tokens: number; first_line: string }[];
  formatting_overhead: { markdown_emphasis_tokens: number; heading_marker_tokens: number; trailing_whitespace_lines: number; extra_blank_lines: number; rule_lines: number; total_tokens: number };
  proposed: { text: string; tokens: number; saved_tokens: number; saved_pct: number; removed_duplicate_instructions: number };
}

const HEADING = /^\s{0,3}(#{1,6})\s+(.*)$/;
const LIST_MARKER = /^\s*(?:[-*+•]|\d+[.)])\s+/;

/** Splits a prompt into instruction units: sentences of non-code lines, with their line numbers. */
export function instructionUnits(text: string): InstructionUnit[] {
  const units: InstructionUnit[] = [];
  let inFence = false;
  text.split('\n').forEach((raw, i) => {
    if (/^ {0,3}(`{3,}|~{3,})/.test(raw)) {
      inFence = !inFence;
      return;
    }
    if (inFence || HEADING.test(raw) || raw.trim().startsWith('|')) return;
    const body = raw.replace(LIST_MARKER, '').trim();
    if (!body) return;
    for (const sentence of body.split(/(?<=[.!?])\s+(?=[A-Z"'(])/)) {
      const t = sentence.trim();
      if (t) units.push({ line: i + 1, text: t });
    }
  });
  return units;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[*_`]/g, '').trim().toLowerCase();
}

function words(text: string): Set<string> {
  return new Set(
    normalise(text)
      .split(/[^a-z0-9$%]+/)
      .filter(Boolean),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

export function auditPrompt(text: string, options: AuditOptions = {}): PromptAudit {
  const minWords = options.minWords ?? 4;
  const near = options.nearThreshold ?? 0.7;
  const longTokens = options.longExampleTokens ?? 250;
  const lines = text.split('\n');
  const total = estimateTokens(text);

  // Sections by Markdown heading (text before the first heading is the preamble).
  const sections: PromptAudit['sections'] = [];
  let current = { title: '(preamble)', start: 1, body: [] as string[] };
  const flush = (end: number) => {
    if (current.body.length || current.title !== '(preamble)') {
      const tokens = estimateTokens(current.body.join('\n'));
      sections.push({ title: current.title, start_line: current.start, end_line: end, tokens, share: total ? round(tokens / total) : 0 });
    }
  };
  let fenced = false;
  lines.forEach((line, i) => {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) fenced = !fenced;
    const h = fenced ? null : line.match(HEADING);
    if (h) {
      flush(i);
      current = { title: h[2].trim(), start: i + 1, body: [line] };
    } else current.body.push(line);
  });
  flush(lines.length);

  // Exact duplicates (after whitespace / list-marker / emphasis normalisation).
  const units = instructionUnits(text).filter((u) => u.text.split(/\s+/).length >= minWords);
  const groups = new Map<string, InstructionUnit[]>();
  for (const u of units) {
    const key = normalise(u.text);
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const exact = [...groups.values()].filter((g) => g.length > 1).map((g) => ({ text: g[0].text, lines: g.map((u) => u.line), tokens_wasted: estimateTokens(g[0].text) * (g.length - 1) }));

  // Near duplicates among the distinct instructions.
  const distinct = [...groups.values()].map((g) => g[0]);
  const sets = distinct.map((u) => words(u.text));
  const nearDuplicates: PromptAudit['near_duplicates'] = [];
  for (let i = 0; i < distinct.length; i++)
    for (let j = i + 1; j < distinct.length; j++) {
      const s = jaccard(sets[i], sets[j]);
      if (s >= near)
        nearDuplicates.push({
          lines: [distinct[i].line, distinct[j].line],
          similarity: round(s),
          a: distinct[i].text,
          b: distinct[j].text,
          numbers_differ: numbersOf(distinct[i].text) !== numbersOf(distinct[j].text),
        });
    }

  // Over-long examples: fenced blocks, <example> blocks, and paragraphs that start with "Example".
  const longExamples: PromptAudit['long_examples'] = [];
  let start = -1;
  let kind: 'fence' | 'tag' | 'para' | null = null;
  const close = (end: number) => {
    const body = lines.slice(start, end + 1).join('\n');
    const tokens = estimateTokens(body);
    if (tokens > longTokens) longExamples.push({ start_line: start + 1, end_line: end + 1, tokens, first_line: lines[start].trim().slice(0, 80) });
    kind = null;
  };
  lines.forEach((line, i) => {
    if (kind === 'fence') {
      if (/^ {0,3}(`{3,}|~{3,})/.test(line)) close(i);
      return;
    }
    if (kind === 'tag') {
      if (/<\/examples?>/i.test(line)) close(i);
      return;
    }
    if (kind === 'para' && (line.trim() === '' || HEADING.test(line))) close(i - 1);
    if (kind) return;
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) [start, kind] = [i, 'fence'];
    else if (/<examples?[\s>]/i.test(line)) [start, kind] = [i, 'tag'];
    else if (/^\s*(?:[-*]\s*)?(?:\*\*)?example\b/i.test(line)) [start, kind] = [i, 'para'];
  });
  if (kind) close(lines.length - 1);

  const safe = safeCompress(text);
  const emphasis = (text.match(/\*\*|__/g) ?? []).length;
  const headingMarks = lines.filter((l) => HEADING.test(l)).length;
  const rules = lines.filter((l) => /^\s*([-*_])\1{2,}\s*$/.test(l)).length;
  const formatting = {
    markdown_emphasis_tokens: emphasis,
    heading_marker_tokens: headingMarks,
    trailing_whitespace_lines: safe.trailingSpaceLines,
    extra_blank_lines: safe.blankLinesRemoved,
    rule_lines: rules,
    total_tokens: emphasis + headingMarks + rules + safe.trailingSpaceLines + safe.blankLinesRemoved,
  };

  const proposed = proposeCompressed(text, minWords);
  const proposedTokens = estimateTokens(proposed.text);
  return {
    total_tokens: total,
    lines: lines.length,
    sections,
    exact_duplicates: exact,
    near_duplicates: nearDuplicates,
    long_examples: longExamples,
    formatting_overhead: formatting,
    proposed: {
      text: proposed.text,
      tokens: proposedTokens,
      saved_tokens: total - proposedTokens,
      saved_pct: total ? round((total - proposedTokens) / total) : 0,
      removed_duplicate_instructions: proposed.removed,
    },
  };
}

/**
 * The offline proposal: the safe rules, plus removal of later exact duplicate
 * instruction sentences and of Markdown bold markers, outside code fences.
 * More than cosmetic, hence only a proposal for the regression gate.
 */
function proposeCompressed(text: string, minWords: number): { text: string; removed: number } {
  const seen = new Set<string>();
  let removed = 0;
  let inFence = false;
  const out: string[] = [];
  for (const raw of safeCompress(text, { dedupe: false }).text.split('\n')) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(raw)) inFence = !inFence;
    if (inFence || /^ {0,3}(`{3,}|~{3,})/.test(raw) || HEADING.test(raw) || raw.trim().startsWith('|')) {
      out.push(raw);
      continue;
    }
    const marker = raw.match(LIST_MARKER)?.[0] ?? raw.match(/^\s*/)![0];
    const body = raw.slice(marker.length);
    const kept: string[] = [];
    for (const sentence of body.split(/(?<=[.!?])\s+(?=[A-Z"'(])/)) {
      const key = normalise(sentence);
      if (sentence.trim().split(/\s+/).length >= minWords && seen.has(key)) {
        removed++;
        continue;
      }
      seen.add(key);
      kept.push(sentence);
    }
    if (body.trim() && kept.length === 0) continue; // the whole line was a duplicate
    out.push((marker + kept.join(' ')).replace(/\*\*(\S(?:.*?\S)?)\*\*/g, '$1'));
  }
  return { text: safeCompress(out.join('\n')).text, removed };
}

function numbersOf(text: string): string {
  return (text.match(/\d+(?:\.\d+)?/g) ?? []).join(',');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
