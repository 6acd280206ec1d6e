import type { ServerResponse } from 'node:http';
import type { JobOptions, JobRecord } from '../../../shared/core/jobs/job-record';
import { hintsFromHeaders } from '../../../shared/core/jobs/request-hints';
import { ChatCompletionBodySchema } from '../../../shared/surfaces/chat-completions/request-schema';
import { openAIBodyToChatRequest } from '../../../shared/surfaces/chat-completions/to-internal';
import { OpenAIChunkEncoder } from '../../../shared/surfaces/chat-completions/from-internal';
import { LEGACY_FUNCTIONS_ECHO, toLegacyFunctionChunk } from '../../../shared/surfaces/chat-completions/legacy-functions';
import { completionId } from '../../../shared/core/jobs/job-outcomes';
import type { ChatResponse, StreamEvent } from '../../../shared/core/chat-model';
import { responseToStreamEvents } from '../../../shared/levers/cache/stream-replay';
import { sendJson } from '../http/json-reply';
import type { JobIntake } from '../job-intake';
import { fastPathCall } from './fast-path-call';
import { parsimonyHeaders } from './parsimony-headers';
import { headerValue, type HotHandler } from '../http/hot-route';
import { jobErrorToApiError } from '../../../shared/core/errors/job-error-http';

/**
 * POST /v1/chat/completions: the OpenAI-compatible fast path. The request
 * runs through the same pipeline stages as queued jobs, in this process.
 */
export function chatCompletionsHandler(intake: JobIntake): HotHandler {
  return async (req, res) => {
    const body = ChatCompletionBodySchema.parse(req.body ?? undefined);
    const request = openAIBodyToChatRequest(body);
    const stream = body.stream === true;
    // Body hints win over header hints, field by field.
    const hints = { ...hintsFromHeaders((name) => headerValue(req.headers, name)), ...body.parsimony };
    const legacyFunctions = body.functions !== undefined;
    const options: JobOptions = { requested_model: body.model, latency: 'sync', stream, metadata: body.metadata, ...hints };
    if (legacyFunctions) options.surface_echo = { [LEGACY_FUNCTIONS_ECHO]: true };
    const call = fastPathCall(res);

    if (!stream) {
      const finished = await intake.runFast(req.tenant, request, options, call.onStart, undefined, call.signal);
      return sendFinished(res, finished);
    }

    let encoder: OpenAIChunkEncoder | undefined;
    const write = (event: StreamEvent, model: string | undefined) => {
      if (!encoder) {
        // Headers go out with the first event, so failures before it still get a proper error status.
        // Chunks name the model that answers (the routed one), as the non-streamed response does — never "auto".
        encoder = new OpenAIChunkEncoder(
          completionId(call.job?.id ?? ''),
          model ?? (event.type === 'done' ? event.response.model : request.model),
          Math.floor(Date.now() / 1000),
          body.stream_options?.include_usage === true,
        );
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      }
      for (const chunk of encoder.encode(event)) res.write(`data: ${JSON.stringify(legacyFunctions ? toLegacyFunctionChunk(chunk) : chunk)}\n\n`);
    };
    const finished = await intake.runFast(req.tenant, request, options, call.onStart, write, call.signal);
    if (!res.headersSent) {
      if (finished.status !== 'completed') return sendFinished(res, finished);
      // Served without a provider stream (e.g. a stored answer): replay it as one.
      const done = toDoneResponse(finished);
      for (const event of responseToStreamEvents(done)) write(event, done.model);
    } else if (finished.status !== 'completed') {
      res.write(`data: ${JSON.stringify(jobErrorToApiError(finished.error).toBody())}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  };
}

function sendFinished(res: ServerResponse, job: JobRecord): void {
  if (job.status === 'completed' && job.response) {
    for (const [name, value] of Object.entries(parsimonyHeaders(job))) res.setHeader(name, value);
    sendJson(res, 200, job.response);
    return;
  }
  throw jobErrorToApiError(job.error);
}

function toDoneResponse(job: JobRecord): ChatResponse {
  return { ...job.result!, model: job.route?.model ?? job.result!.model, usage: job.usage ?? job.result!.usage };
}
