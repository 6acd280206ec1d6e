import type { ParsedSurfaceRequest, SurfaceDefinition, SurfaceParseContext } from '../registry';
import { ApiError } from '../../core/errors/api-error';
import { chatResponseToResponse, echoFromRequest, type ResponseEcho } from './from-internal';
import { ResponsesBodySchema, type InputItem, type ResponsesBody } from './request-schema';
import { withItemIds, type StoredItem, type StoredResponse } from './response-store';
import { inputItems, responsesBodyToChatRequest } from './to-internal';

/** A parsed Responses body with what storing its answer needs. */
export interface ParsedResponsesRequest extends ParsedSurfaceRequest {
  body: ResponsesBody;
  /** Every input item of this response (the continued conversation's, then its own), with ids. */
  input: StoredItem[];
  echo: ResponseEcho & Record<string, unknown>;
}

/** Validates a Responses body and maps it (with the conversation it continues) into the internal model. */
export async function parseResponsesRequest(raw: unknown, context: SurfaceParseContext): Promise<ParsedResponsesRequest> {
  const body = ResponsesBodySchema.parse(raw);
  let previous: StoredResponse | undefined;
  if (body.previous_response_id) {
    if (!context.previousResponses) throw ApiError.invalid('previous_response_id: stored responses are only continued on POST /v1/responses; send the whole conversation as input here');
    previous = await context.previousResponses.get(context.tenant, body.previous_response_id);
    if (!previous) throw ApiError.notFound(`previous_response_id: response ${body.previous_response_id}`);
  }
  const own = await resolveReferences(inputItems(body.input), context);
  const input = [...(previous ? [...previous.input, ...withItemIds(previous.output)] : []), ...withItemIds(own)];
  const request = responsesBodyToChatRequest(body, input);
  return { request, requestedModel: body.model, stream: body.stream === true, metadata: body.metadata ?? undefined, hints: body.parsimony, body, input, echo: echoOf(body) };
}

/** Replaces `item_reference` items by the stored items they name (the tenant's own only). */
async function resolveReferences(items: InputItem[], context: SurfaceParseContext): Promise<InputItem[]> {
  const refs = items.flatMap((item, i) => (item.type === 'item_reference' ? [{ i, id: String((item as { id?: unknown }).id ?? '') }] : []));
  if (!refs.length) return items;
  if (!context.previousResponses) throw ApiError.invalid(`input.${refs[0].i}: item_reference items are only resolved on POST /v1/responses; send the item itself here`);
  const found = await context.previousResponses.getItems(
    context.tenant,
    refs.map((r) => r.id),
  );
  const resolved = [...items];
  refs.forEach((ref, k) => {
    const item = found[k];
    if (!item) throw ApiError.invalid(`input.${ref.i}: item_reference "${ref.id}" names no stored item of yours (items are kept with their response while it is stored)`);
    resolved[ref.i] = item;
  });
  return resolved;
}

function echoOf(body: ResponsesBody): ResponseEcho & Record<string, unknown> {
  const echo: ResponseEcho & Record<string, unknown> = {
    instructions: body.instructions ?? null,
    metadata: body.metadata ?? {},
    previous_response_id: body.previous_response_id ?? null,
    store: body.store ?? true,
    tools: body.tools ?? [],
    tool_choice: body.tool_choice ?? 'auto',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    temperature: body.temperature ?? 1,
    top_p: body.top_p ?? 1,
    max_output_tokens: body.max_output_tokens ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? body.reasoning?.generate_summary ?? null },
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: body.text?.verbosity ?? 'medium' },
    truncation: body.truncation ?? 'disabled',
    prompt_cache_key: body.prompt_cache_key ?? null,
    safety_identifier: body.safety_identifier ?? null,
    top_logprobs: body.top_logprobs ?? 0,
    include: body.include ?? null,
    background: body.background ?? false,
  };
  if (body.user !== undefined) echo.user = body.user;
  return echo;
}

/** OpenAI Responses: `POST /v1/responses`. */
export const responsesSurface: SurfaceDefinition = {
  surface: 'responses',
  path: '/v1/responses',
  parse: parseResponsesRequest,
  encode: (response, jobId, model, job) => {
    const echo = (job?.options?.surface_echo as ResponseEcho | undefined) ?? { ...echoFromRequest(job?.request), metadata: job?.options?.metadata ?? {} };
    return chatResponseToResponse(response, jobId, model, echo, job?.createdAt ?? response.created);
  },
};
