import { Router, type Request } from 'express';
import { z } from 'zod';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { JobOptions, JobRecord } from '../../../shared/core/jobs/job-record';
import { hintsFromHeaders } from '../../../shared/core/jobs/request-hints';
import type { ChatResponse, StreamEvent } from '../../../shared/core/chat-model';
import { responseToStreamEvents } from '../../../shared/levers/cache/stream-replay';
import { parseResponsesRequest, type ParsedResponsesRequest } from '../../../shared/surfaces/responses/definition';
import { outputItems } from '../../../shared/surfaces/responses/from-internal';
import { pageOfItems, type ResponseStore } from '../../../shared/surfaces/responses/response-store';
import { ResponsesStreamEncoder, type ResponseStreamEvent } from '../../../shared/surfaces/responses/stream-encoder';
import { tenantOf } from '../http/authenticate';
import type { JobIntake } from '../job-intake';
import { jobErrorToApiError } from '../../../shared/core/errors/job-error-http';
import { fastPathCall } from './fast-path-call';
import { parsimonyHeaders } from './parsimony-headers';
import { headerValue, type HotHandler } from '../http/hot-route';
import { sendJson } from '../http/json-reply';

const InputItemsQuerySchema = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  include: z.unknown().optional(),
});

/**
 * POST /v1/responses, the OpenAI Responses API on the same fast path as chat
 * completions (every lever; the job shows in /v1/jobs/:id and /v1/savings).
 * The answer is stored for GET / input_items / previous_response_id unless the
 * caller said store: false.
 */
export function responsesHandler(intake: JobIntake, responses: ResponseStore): HotHandler {
  return async (req, res) => {
    const tenant = req.tenant;
    const parsed = await parseResponsesRequest(req.body ?? undefined, { tenant, previousResponses: responses });
    // Body hints win over header hints, field by field.
    const hints = { ...hintsFromHeaders((name) => headerValue(req.headers, name)), ...parsed.hints };
    const options: JobOptions = {
      requested_model: parsed.requestedModel,
      latency: 'sync',
      stream: parsed.stream,
      metadata: parsed.metadata,
      surface: 'responses',
      surface_echo: parsed.echo,
      ...hints,
    };
    const call = fastPathCall(res);

    if (!parsed.stream) {
      const finished = await intake.runFast(tenant, parsed.request, options, call.onStart, undefined, call.signal);
      if (finished.status !== 'completed' || !finished.response) throw jobErrorToApiError(finished.error);
      await storeAnswer(responses, parsed, finished);
      for (const [name, value] of Object.entries(parsimonyHeaders(finished))) res.setHeader(name, value);
      sendJson(res, 200, finished.response);
      return;
    }

    let encoder: ResponsesStreamEncoder | undefined;
    const send = (events: ResponseStreamEvent[]) => {
      for (const e of events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    const write = (event: StreamEvent, model: string | undefined) => {
      if (!encoder) {
        // Headers go out with the first event, so failures before it still get a proper error status.
        const job = call.job!;
        encoder = new ResponsesStreamEncoder(job.id, model ?? (event.type === 'done' ? event.response.model : parsed.request.model), Math.floor(Date.parse(job.created_at) / 1000), parsed.echo);
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
        send(encoder.start());
      }
      send(encoder.encode(event));
    };
    const finished = await intake.runFast(tenant, parsed.request, options, call.onStart, write, call.signal);
    if (!res.headersSent) {
      if (finished.status !== 'completed') throw jobErrorToApiError(finished.error);
      // Served without a provider stream (e.g. a cached answer): replay it as one.
      const done = toDoneResponse(finished);
      for (const event of responseToStreamEvents(done)) write(event, done.model);
    } else if (finished.status !== 'completed') {
      const error = jobErrorToApiError(finished.error);
      send(encoder!.fail(error.type, error.message));
    }
    if (finished.status === 'completed') await storeAnswer(responses, parsed, finished);
    res.end();
  };
}

/** Stored responses (answers of POST /v1/responses) read, listed and deleted per tenant. */
export function responsesRouter(responses: ResponseStore): Router {
  const router = Router();

  router.get('/v1/responses/:id', async (req, res) => {
    const entry = await mustGet(responses, req);
    if (req.query.stream === 'true') throw ApiError.invalid('stream: replaying a stored response as a stream is not supported; GET it without stream');
    res.json(entry.response);
  });

  router.delete('/v1/responses/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await responses.delete(tenantOf(req), id))) throw ApiError.notFound(`response ${id}`);
    res.json({ id, object: 'response.deleted', deleted: true });
  });

  router.get('/v1/responses/:id/input_items', async (req, res) => {
    const entry = await mustGet(responses, req);
    const query = InputItemsQuerySchema.parse(req.query);
    res.json(pageOfItems(entry.input, query));
  });

  router.post('/v1/responses/:id/cancel', async (req) => {
    await mustGet(responses, req);
    throw ApiError.invalid('only background responses can be cancelled, and Parsimony runs none (background is refused)');
  });

  return router;
}

async function mustGet(responses: ResponseStore, req: Request) {
  const id = String(req.params.id);
  const entry = await responses.get(tenantOf(req), id);
  if (!entry) throw ApiError.notFound(`response ${id}`);
  return entry;
}

/** Keeps the answer for GET / input_items / previous_response_id unless the caller said store: false. */
async function storeAnswer(responses: ResponseStore, parsed: ParsedResponsesRequest, job: JobRecord): Promise<void> {
  if (parsed.body.store === false || !job.response || !job.result) return;
  const output = outputItems(job.result, job.id, true) as ParsedResponsesRequest['input'];
  await responses.save(job.tenant, { response: job.response as Record<string, unknown> & { id: string }, input: parsed.input, output });
}

function toDoneResponse(job: JobRecord): ChatResponse {
  return { ...job.result!, model: job.route?.model ?? job.result!.model, usage: job.usage ?? job.result!.usage };
}
