import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';

/**
 * The cost benchmark's agent chains are recorded in OpenAI chat format. Real
 * agents of late 2026 also speak the Responses API and Anthropic Messages, so
 * a share of the chains is re-expressed in those wire formats (the same turns,
 * tool calls and tool results) and sent with the matching official SDK. These
 * are plain wire-format rewrites of a recorded conversation, not Parsimony's
 * own translation code, so the benchmark does not test our mapping with
 * itself.
 */
export const AGENT_SURFACES = ['chat', 'responses', 'messages'] as const;
export type AgentSurface = (typeof AGENT_SURFACES)[number];

type ChatMessage = Record<string, unknown>;
interface ChatToolCall {
  id: string;
  function: { name: string; arguments: string };
}

/** Tools offered to an agent: one per tool name its run calls, with an open schema (the traces keep no definitions). */
export interface AgentTool {
  name: string;
  description: string;
}

export function toolsOfRun(messages: readonly ChatMessage[]): AgentTool[] {
  const names = new Set<string>();
  for (const m of messages) for (const c of (m.tool_calls as ChatToolCall[] | undefined) ?? []) names.add(c.function.name);
  return [...names].sort().map((name) => ({ name, description: `Airline back-office tool ${name.replace(/_/g, ' ')}.` }));
}

const OPEN_OBJECT = { type: 'object', properties: {}, additionalProperties: true } as const;

export function chatTools(tools: readonly AgentTool[]) {
  return tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: OPEN_OBJECT } }));
}

const text = (m: ChatMessage): string => (typeof m.content === 'string' ? m.content : '');

/** The same conversation as a Responses API request: instructions, then message / function_call / function_call_output items. */
export function responsesBody(messages: readonly ChatMessage[], tools: readonly AgentTool[], metadata: Record<string, string>): OpenAI.Responses.ResponseCreateParamsNonStreaming {
  const instructions = messages
    .filter((m) => m.role === 'system')
    .map(text)
    .join('\n\n');
  const input: OpenAI.Responses.ResponseInputItem[] = [];
  for (const m of messages) {
    if (m.role === 'user') input.push({ role: 'user', content: text(m) });
    else if (m.role === 'assistant') {
      if (text(m)) input.push({ role: 'assistant', content: text(m) });
      for (const c of (m.tool_calls as ChatToolCall[] | undefined) ?? []) input.push({ type: 'function_call', call_id: c.id, name: c.function.name, arguments: c.function.arguments });
    } else if (m.role === 'tool') input.push({ type: 'function_call_output', call_id: String(m.tool_call_id), output: text(m) });
  }
  return {
    model: 'auto',
    instructions: instructions || undefined,
    input,
    tools: tools.map((t) => ({ type: 'function' as const, name: t.name, description: t.description, parameters: OPEN_OBJECT, strict: false })),
    store: false,
    metadata,
  };
}

/** The same conversation as an Anthropic Messages request: tool calls as tool_use blocks, tool results as tool_result blocks in user turns. */
export function messagesBody(messages: readonly ChatMessage[], tools: readonly AgentTool[], metadata: Record<string, string>): Anthropic.MessageCreateParamsNonStreaming {
  const system = messages
    .filter((m) => m.role === 'system')
    .map(text)
    .join('\n\n');
  const out: Anthropic.MessageParam[] = [];
  // Anthropic alternates user and assistant turns: consecutive user-side content (tool results, user text) joins one turn.
  const push = (role: 'user' | 'assistant', blocks: Anthropic.ContentBlockParam[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'user') push('user', [{ type: 'text', text: text(m) || '(no text)' }]);
    else if (m.role === 'assistant') {
      const blocks: Anthropic.ContentBlockParam[] = [];
      if (text(m)) blocks.push({ type: 'text', text: text(m) });
      for (const c of (m.tool_calls as ChatToolCall[] | undefined) ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.function.name, input: parseArguments(c.function.arguments) });
      if (blocks.length) push('assistant', blocks);
    } else if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: String(m.tool_call_id), content: text(m) }]);
  }
  return {
    model: 'auto',
    max_tokens: 1024,
    system: system || undefined,
    messages: out,
    tools: tools.map((t) => ({ name: t.name, description: t.description, input_schema: OPEN_OBJECT })),
    metadata: { user_id: metadata.agent ?? 'agent' },
  };
}

function parseArguments(args: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: args };
  }
}
