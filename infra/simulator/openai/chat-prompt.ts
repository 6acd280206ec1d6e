import type { SimPrompt, SimTool, SimToolChoice } from '../answer';
import { countTokens } from '../tokens';
import type { ChatBody } from './chat-validate';

/**
 * How a chat-completions request looks to the simulated model: the
 * provider-neutral prompt, the prompt-token count (tiktoken-like, with the
 * chat format's per-message framing) and the canonical segments the prompt
 * cache hashes.
 */

export interface OpenAIPrompt {
  prompt: SimPrompt;
  promptTokens: number;
  segments: string[];
}

// The chat format frames each message with ~3 tokens plus its role, and primes the reply with 3.
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
// OpenAI bills images by tile; a flat "low detail" cost is close enough for usage numbers.
const IMAGE_TOKENS = 85;

export function openAIPrompt(body: ChatBody): OpenAIPrompt {
  const segments: string[] = [];
  let tokens = REPLY_PRIMING;

  const tools = toolsOf(body);
  if (tools.length) {
    const rendered = renderTools(tools);
    segments.push(rendered);
    tokens += countTokens(rendered);
  }

  let lastUserText = '';
  const trailingToolResults: string[] = [];
  for (const m of body.messages as ChatBody[]) {
    const text = contentText(m.content);
    const calls = Array.isArray(m.tool_calls) ? m.tool_calls.map((c: ChatBody) => `${c.function?.name}(${c.function?.arguments ?? ''})`).join('\n') : '';
    const segment = `${m.role}${m.name ? `:${m.name}` : ''}\n${text}${calls ? `\n${calls}` : ''}`;
    segments.push(segment);
    tokens += PER_MESSAGE + countTokens(segment) + imageCount(m.content) * IMAGE_TOKENS;
    if (m.role === 'user') lastUserText = text;
    if (m.role === 'tool') trailingToolResults.push(text);
    else trailingToolResults.length = 0;
  }

  const rf = body.response_format;
  const prompt: SimPrompt = {
    seedText: segments.join('\u0000'),
    lastUserText,
    toolResultText: trailingToolResults.length ? trailingToolResults.join('\n') : undefined,
    tools,
    toolChoice: toolChoiceOf(body.tool_choice),
    json: rf?.type === 'json_object' ? {} : rf?.type === 'json_schema' ? { schema: rf.json_schema?.schema ?? {} } : undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    stop: body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
    variant: typeof body.seed === 'number' ? body.seed : 0,
  };
  return { prompt, promptTokens: tokens, segments };
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: ChatBody) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : p?.type === 'refusal' ? String(p.refusal ?? '') : ''))
    .filter(Boolean)
    .join('\n');
}

function imageCount(content: unknown): number {
  return Array.isArray(content) ? content.filter((p: ChatBody) => p?.type === 'image_url').length : 0;
}

function toolsOf(body: ChatBody): SimTool[] {
  if (!Array.isArray(body.tools)) return [];
  return body.tools
    .filter((t: ChatBody) => t.type === 'function')
    .map((t: ChatBody) => ({ name: t.function.name, description: t.function.description, schema: t.function.parameters ?? { type: 'object', properties: {} } }));
}

function toolChoiceOf(choice: unknown): SimToolChoice {
  if (choice === 'none' || choice === 'required' || choice === 'auto') return choice;
  if (choice && typeof choice === 'object' && 'function' in choice) return { name: (choice as ChatBody).function.name };
  return 'auto';
}

/** Tools are shown to the model as a TypeScript-like namespace; counting that rendering tracks the real overhead. */
function renderTools(tools: SimTool[]): string {
  const lines = ['namespace functions {'];
  for (const t of tools) {
    if (t.description) lines.push(`// ${t.description}`);
    const props = (t.schema.properties ?? {}) as Record<string, ChatBody>;
    const required = new Set((t.schema.required as string[] | undefined) ?? []);
    lines.push(`type ${t.name} = (_: {`);
    for (const [name, p] of Object.entries(props)) {
      if (p?.description) lines.push(`// ${p.description}`);
      const type = Array.isArray(p?.enum) ? p.enum.map((e: unknown) => JSON.stringify(e)).join(' | ') : (p?.type ?? 'any');
      lines.push(`${name}${required.has(name) ? '' : '?'}: ${typeof type === 'string' ? type : JSON.stringify(type)},`);
    }
    lines.push('}) => any;');
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}
