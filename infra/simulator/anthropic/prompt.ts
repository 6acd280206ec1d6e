import type { SimPrompt, SimTool, SimToolChoice } from '../answer';
import type { CacheBlock } from '../prompt-cache';
import { countTokens } from '../tokens';
import { contentBlocks, type MessageBody } from './validate';

/**
 * How a Messages request looks to the simulated model: the prompt as cache
 * blocks in Anthropic's cache order (tools → system → messages) with token
 * counts and breakpoints, the total input tokens, and the neutral prompt.
 */

export interface AnthropicPrompt {
  prompt: SimPrompt;
  blocks: CacheBlock[];
  inputTokens: number;
}

// Anthropic injects a tool-use system prompt when tools are present (documented per tool_choice).
const TOOL_PROMPT_AUTO = 346;
const TOOL_PROMPT_FORCED = 313;
const PER_MESSAGE = 3;
const REQUEST_OVERHEAD = 4;
const IMAGE_TOKENS = 1600;
const DOCUMENT_TOKENS = 1500;

export function anthropicPrompt(body: MessageBody): AnthropicPrompt {
  const blocks: CacheBlock[] = [];
  const ttl = (b: MessageBody): CacheBlock['breakpoint'] => (b?.cache_control ? (b.cache_control.ttl === '1h' ? '1h' : '5m') : undefined);

  const tools: SimTool[] = [];
  const forced = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
  (body.tools ?? []).forEach((t: MessageBody, i: number) => {
    const { cache_control: _omit, ...rest } = t;
    const text = JSON.stringify(rest);
    const overhead = i === 0 ? (forced ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO) : 0;
    blocks.push({ text: `tool\0${text}`, tokens: countTokens(text) + overhead, breakpoint: ttl(t) });
    if (t.input_schema) tools.push({ name: t.name, description: t.description, schema: t.input_schema });
  });

  const systemBlocks: MessageBody[] = typeof body.system === 'string' ? (body.system ? [{ type: 'text', text: body.system }] : []) : (body.system ?? []);
  for (const s of systemBlocks) blocks.push({ text: `system\0${s.text}`, tokens: countTokens(s.text) + 1, breakpoint: ttl(s) });

  let lastUserText = '';
  let toolResultText: string | undefined;
  const messages = body.messages as MessageBody[];
  messages.forEach((m, i) => {
    const content = contentBlocks(m.content, i, true);
    const texts: string[] = [];
    const results: string[] = [];
    content.forEach((block, j) => {
      const { cache_control: _omit, ...rest } = block;
      const text = blockText(block);
      if (block.type === 'text') texts.push(block.text);
      if (block.type === 'tool_result') results.push(text);
      const tokens = blockTokens(block, text) + (j === 0 ? PER_MESSAGE : 0);
      blocks.push({ text: `${m.role}\0${JSON.stringify(rest)}`, tokens, breakpoint: ttl(block) });
    });
    if (m.role === 'user') {
      lastUserText = texts.join('\n') || lastUserText;
      toolResultText = results.length ? results.join('\n') : undefined;
    }
  });

  // Top-level cache_control marks the last cacheable block.
  if (body.cache_control && blocks.length && !blocks[blocks.length - 1].breakpoint) blocks[blocks.length - 1].breakpoint = body.cache_control.ttl === '1h' ? '1h' : '5m';

  const lastIsUser = messages[messages.length - 1].role === 'user';
  const format = body.output_config?.format ?? body.output_format;
  const prompt: SimPrompt = {
    seedText: blocks.map((b) => b.text).join('\u0001'),
    lastUserText,
    toolResultText: lastIsUser ? toolResultText : undefined,
    tools,
    toolChoice: toolChoiceOf(body.tool_choice),
    json: format?.type === 'json_schema' ? { schema: format.schema ?? {} } : undefined,
    maxTokens: body.max_tokens,
    stop: body.stop_sequences,
  };
  const inputTokens = blocks.reduce((n, b) => n + b.tokens, 0) + REQUEST_OVERHEAD;
  return { prompt, blocks, inputTokens };
}

function blockText(block: MessageBody): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool_use':
      return `${block.name} ${JSON.stringify(block.input ?? {})}`;
    case 'tool_result':
      return typeof block.content === 'string' ? block.content : Array.isArray(block.content) ? block.content.map((c: MessageBody) => (c?.type === 'text' ? c.text : '')).join('\n') : '';
    case 'thinking':
      return block.thinking ?? '';
    case 'document':
      return block.source?.type === 'text' ? String(block.source.data ?? '') : '';
    default:
      return '';
  }
}

function blockTokens(block: MessageBody, text: string): number {
  if (block.type === 'image') return IMAGE_TOKENS;
  if (block.type === 'document' && !text) return DOCUMENT_TOKENS;
  const framing = block.type === 'tool_use' || block.type === 'tool_result' ? 6 : 0;
  return countTokens(text) + framing;
}

function toolChoiceOf(choice: MessageBody | undefined): SimToolChoice {
  if (!choice) return 'auto';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'tool') return { name: choice.name };
  return 'auto';
}
