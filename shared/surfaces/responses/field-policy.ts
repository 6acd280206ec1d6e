import type { z } from 'zod';

/**
 * What Parsimony does with the Responses fields it cannot serve: each is
 * refused with a 400 that names it and says why (and what to use instead).
 * Everything else is honoured, translated or forwarded (see README "Responses
 * API"). Hosted tools run on OpenAI's side of the Responses API; Parsimony
 * answers from any provider's plain model call, so it has nowhere to run them.
 */

const HOSTED_TOOL_REASONS: Record<string, string> = {
  web_search: "web search runs inside OpenAI's hosted Responses API; Parsimony answers with plain model calls and cannot run it — give the model a function tool that searches instead",
  file_search: 'file search needs OpenAI-hosted vector stores, which Parsimony does not reach — give the model a function tool that searches your documents instead',
  computer: "computer use needs OpenAI's hosted computer-use loop, which Parsimony does not run",
  code_interpreter: 'the code interpreter is an OpenAI-hosted sandbox that Parsimony does not run — give the model a function tool that runs code instead',
  mcp: "remote MCP servers are called by OpenAI's hosted Responses API; Parsimony does not call them — expose the MCP tools as function tools in your client",
  image_generation: 'image generation is an OpenAI-hosted tool that Parsimony does not run',
  local_shell: "local_shell calls are only produced by OpenAI's codex models through the hosted API, which Parsimony does not proxy — use a function tool",
  shell: 'the hosted shell tool is not run by Parsimony — use a function tool',
  apply_patch: "apply_patch is a freeform tool of OpenAI's hosted API that other providers cannot call — use a function tool",
  custom: 'custom (freeform-grammar) tools are not portable across providers, so Parsimony refuses them — use a function tool with a JSON schema',
  namespace: 'tool namespaces are not portable across providers — list the function tools directly',
  tool_search: "tool search runs inside OpenAI's hosted API, which Parsimony does not proxy",
  programmatic_tool_calling: "programmatic tool calling runs inside OpenAI's hosted API, which Parsimony does not proxy",
};

/** The reason a hosted tool type is refused, by its wire type (versioned names like `web_search_preview_2025_03_11` included). */
export function hostedToolReason(type: string): string {
  const base = Object.keys(HOSTED_TOOL_REASONS)
    .sort((a, b) => b.length - a.length)
    .find((name) => type === name || type.startsWith(`${name}_`) || (name === 'computer' && type.startsWith('computer_use')));
  return base ? HOSTED_TOOL_REASONS[base] : 'Parsimony only runs function tools';
}

/** Input item types a conversation may hold; any other is the output of a hosted tool Parsimony never runs. */
// item_reference items are resolved against the tenant's stored responses when the body is parsed.
const ACCEPTED_ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'reasoning']);

interface PolicyView {
  background?: boolean | null;
  conversation?: unknown;
  moderation?: unknown;
  prompt?: unknown;
  input?: string | { type?: string; content?: unknown }[];
  tools?: { type: string }[];
  tool_choice?: unknown;
  reasoning?: { mode?: string } | null;
  context_management?: { type: string }[] | null;
}

export function refuseUnsupported(body: PolicyView, ctx: z.RefinementCtx): void {
  const refuse = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (body.background)
    refuse(['background'], 'background responses are not run by Parsimony; POST the same body to /v1/jobs with "surface": "responses" and "latency": "async" and poll GET /v1/jobs/:id');
  if (body.conversation != null) refuse(['conversation'], 'the Conversations API is not served by Parsimony; continue a conversation with previous_response_id instead');
  if (body.moderation != null) refuse(['moderation'], "moderation runs inside OpenAI's hosted Responses API, which Parsimony does not proxy; call a moderation model yourself");
  if (body.prompt != null) refuse(['prompt'], "prompt templates live in OpenAI's dashboard, which Parsimony cannot read; send instructions and input instead");
  if (body.reasoning?.mode && body.reasoning.mode !== 'standard')
    refuse(['reasoning', 'mode'], `reasoning mode "${body.reasoning.mode}" is only offered by OpenAI's hosted Responses API; leave it out or use "standard"`);
  for (const [i, edit] of (body.context_management ?? []).entries())
    if (edit.type !== 'compaction') refuse(['context_management', i, 'type'], `context_management type "${edit.type}" is unknown; Parsimony understands "compaction"`);
  for (const [i, tool] of (body.tools ?? []).entries()) if (tool.type !== 'function') refuse(['tools', i], `tool type "${tool.type}" cannot be used through Parsimony: ${hostedToolReason(tool.type)}`);
  const choice = body.tool_choice;
  if (choice && typeof choice === 'object' && 'type' in choice) {
    const type = String((choice as { type: unknown }).type);
    if (type !== 'function' && type !== 'allowed_tools') refuse(['tool_choice'], `tool_choice type "${type}" cannot be used through Parsimony: ${hostedToolReason(type)}`);
  }
  if (Array.isArray(body.input))
    body.input.forEach((item, i) => {
      const type = item.type ?? 'message';
      if (type === 'item_reference') {
        if (typeof (item as { id?: unknown }).id !== 'string') refuse(['input', i, 'id'], 'an item_reference needs the id of a stored item');
      } else if (!ACCEPTED_ITEM_TYPES.has(type))
        refuse(['input', i], `input item type "${type}" is the output of a hosted tool Parsimony does not run; send messages, function_call, function_call_output and reasoning items`);
      else if (type === 'message' && Array.isArray(item.content))
        (item.content as { type?: string }[]).forEach((part, j) => {
          if (part.type === 'input_file') refuse(['input', i, 'content', j], 'input_file parts are not supported by Parsimony; send the text (input_text) or an image (input_image)');
        });
    });
}
