import { SimError } from '../errors';
import { modelLimits } from '../model-limits';

/**
 * Messages API request validation with Anthropic's own wording
 * (`field: problem`), so a malformed request fails as it would for real.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON from the wire, checked field by field below
export type MessageBody = Record<string, any>;

const BLOCK_TYPES = new Set([
  'text',
  'image',
  'document',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'container_upload',
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MAX_BREAKPOINTS = 4;

function bad(message: string): SimError {
  return new SimError(400, message);
}

export function validateMessageBody(raw: unknown): MessageBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('Input should be a valid dictionary or object to extract fields from');
  const b = raw as MessageBody;
  if (b.model === undefined) throw bad('model: Field required');
  if (typeof b.model !== 'string' || !b.model) throw bad('model: Input should be a valid string');
  if (b.max_tokens === undefined) throw bad('max_tokens: Field required');
  if (!Number.isInteger(b.max_tokens)) throw bad('max_tokens: Input should be a valid integer');
  if (b.max_tokens < 1) throw bad('max_tokens: Input should be greater than or equal to 1');
  const limits = modelLimits(b.model);
  if (limits && b.max_tokens > limits.maxOutputTokens) throw bad(`max_tokens: ${b.max_tokens} > ${limits.maxOutputTokens}, which is the maximum allowed number of output tokens for ${b.model}`);
  if (b.messages === undefined) throw bad('messages: Field required');
  if (!Array.isArray(b.messages)) throw bad('messages: Input should be a valid list');
  if (b.messages.length === 0) throw bad('messages: at least one message is required');
  numberIn(b, 'temperature', 0, 1);
  numberIn(b, 'top_p', 0, 1);
  if (b.top_k !== undefined && (!Number.isInteger(b.top_k) || b.top_k < 0)) throw bad('top_k: Input should be greater than or equal to 0');
  if (b.stop_sequences !== undefined && (!Array.isArray(b.stop_sequences) || b.stop_sequences.some((s: unknown) => typeof s !== 'string')))
    throw bad('stop_sequences: Input should be a valid list of strings');
  if (b.thinking?.type === 'enabled' && !(b.thinking.budget_tokens < b.max_tokens)) throw bad('max_tokens must be greater than thinking.budget_tokens');

  let breakpoints = 0;
  const countBreakpoint = (block: MessageBody) => {
    if (block && typeof block === 'object' && block.cache_control) breakpoints += 1;
  };
  validateSystem(b.system, countBreakpoint);
  validateTools(b, countBreakpoint);
  validateMessages(b.messages, countBreakpoint);
  if (b.cache_control) breakpoints += 1;
  if (breakpoints > MAX_BREAKPOINTS) throw bad(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
  return b;
}

function validateSystem(system: unknown, onBlock: (b: MessageBody) => void): void {
  if (system === undefined || typeof system === 'string') return;
  if (!Array.isArray(system)) throw bad('system: Input should be a valid string or list of text blocks');
  system.forEach((block: MessageBody, i) => {
    if (block?.type !== 'text' || typeof block.text !== 'string') throw bad(`system.${i}: Input should be a text block`);
    if (!block.text) throw bad('system: text content blocks must be non-empty');
    onBlock(block);
  });
}

function validateTools(b: MessageBody, onBlock: (b: MessageBody) => void): void {
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) throw bad('tools: Input should be a valid list');
    b.tools.forEach((t: MessageBody, i: number) => {
      const custom = t?.type === undefined || t?.type === 'custom';
      if (typeof t?.name !== 'string') throw bad(`tools.${i}.custom.name: Field required`);
      if (custom && !TOOL_NAME.test(t.name)) throw bad(`tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
      if (custom && (typeof t.input_schema !== 'object' || t.input_schema === null)) throw bad(`tools.${i}.custom.input_schema: Field required`);
      onBlock(t);
    });
  }
  const choice = b.tool_choice;
  if (choice === undefined) return;
  if (!['auto', 'any', 'tool', 'none'].includes(choice?.type)) throw bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  if (choice.type === 'tool') {
    if (typeof choice.name !== 'string') throw bad('tool_choice.tool.name: Field required');
    if (!b.tools?.some((t: MessageBody) => t.name === choice.name)) throw bad(`tool_choice: tool '${choice.name}' not found in tools`);
  }
  if ((choice.type === 'any' || choice.type === 'tool') && !b.tools?.length) throw bad('tool_choice: tool_choice is only allowed when tools are provided');
}

function validateMessages(messages: MessageBody[], onBlock: (b: MessageBody) => void): void {
  let previousRole: string | undefined;
  let pendingToolUses: string[] = [];
  messages.forEach((m, i) => {
    if (typeof m !== 'object' || m === null) throw bad(`messages.${i}: Input should be a valid dictionary`);
    if (m.role !== 'user' && m.role !== 'assistant') throw bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (i === 0 && m.role !== 'user') throw bad('messages: first message must use the "user" role');
    if (m.role === previousRole) throw bad(`messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`);
    const isFinalAssistant = m.role === 'assistant' && i === messages.length - 1;
    const blocks = contentBlocks(m.content, i, isFinalAssistant);
    const toolResults: string[] = [];
    const toolUses: string[] = [];
    blocks.forEach((block, j) => {
      if (typeof block !== 'object' || block === null || !BLOCK_TYPES.has(block.type))
        throw bad(`messages.${i}.content.${j}.type: Input tag '${String(block?.type)}' found using 'type' does not match any of the expected tags`);
      if (block.type === 'text' && (typeof block.text !== 'string' || (!block.text && !isFinalAssistant))) throw bad('messages: text content blocks must be non-empty');
      if (block.type === 'tool_use') {
        if (m.role !== 'assistant') throw bad(`messages.${i}.content.${j}: tool_use blocks can only appear in assistant messages`);
        if (typeof block.id !== 'string' || typeof block.name !== 'string') throw bad(`messages.${i}.content.${j}.tool_use.id: Field required`);
        toolUses.push(block.id);
      }
      if (block.type === 'tool_result') {
        if (m.role !== 'user') throw bad(`messages.${i}.content.${j}: tool_result blocks can only appear in user messages`);
        if (typeof block.tool_use_id !== 'string') throw bad(`messages.${i}.content.${j}.tool_result.tool_use_id: Field required`);
        if (!pendingToolUses.includes(block.tool_use_id))
          throw bad(
            `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
        toolResults.push(block.tool_use_id);
      }
      onBlock(block);
    });
    if (pendingToolUses.length) {
      const missing = pendingToolUses.filter((id) => !toolResults.includes(id));
      if (missing.length)
        throw bad(
          `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
    }
    pendingToolUses = toolUses;
    previousRole = m.role;
  });
}

/** Content as a list of blocks; a string is one text block. */
export function contentBlocks(content: unknown, index: number, allowEmpty: boolean): MessageBody[] {
  if (typeof content === 'string') {
    if (!content && !allowEmpty) throw bad(`messages.${index}: all messages must have non-empty content except for the optional final assistant message`);
    return content ? [{ type: 'text', text: content }] : [];
  }
  if (!Array.isArray(content)) throw bad(`messages.${index}.content: Input should be a valid string or list of content blocks`);
  if (content.length === 0 && !allowEmpty) throw bad(`messages.${index}: all messages must have non-empty content except for the optional final assistant message`);
  return content as MessageBody[];
}

function numberIn(b: MessageBody, name: string, min: number, max: number): void {
  const v = b[name];
  if (v === undefined) return;
  if (typeof v !== 'number') throw bad(`${name}: Input should be a valid number`);
  if (v < min) throw bad(`${name}: Input should be greater than or equal to ${min}`);
  if (v > max) throw bad(`${name}: Input should be less than or equal to ${max}`);
}
