import type { ServerResponse } from 'node:http';
import type { JobOptions, JobRecord } from '../../../shared/core/jobs/job-record';
import { hintsFromHeaders } from '../../../shared/core/jobs/request-hints';
import type { ChatResponse, StreamEvent } from '../../../shared/core/chat-model';
import { responseToStreamEvents } from '../../../shared/levers/cache/stream-replay';
import { messagesSurface } from '../../../shared/surfaces/messages/definition';
import { jobErrorToAnthropic } from '../../../shared/surfaces/messages/errors';
import { messageId } from '../../../shared/surfaces/messages/from-internal';
import { MessagesStreamEncoder, sseFrame } from '../../../shared/surfaces/messages/stream-encoder';
import { withAnthropicHeaders } from '../../../shared/surfaces/messages/to-internal';
import { sendJson } from '../http/json-reply';
import type { JobIntake } from '../job-intake';
import { fastPathCall } from './fast-path-call';
import { parsimonyHeaders } from './parsimony-headers';
import { headerValue, type HotHandler } from '../http/hot-route';

/**
 * POST /v1/messages: the Anthropic Messages API on the fast path. Like chat
 * completions, the request runs through every pipeline stage in this process
 * and is kept as a job (`GET /v1/jobs/:id` shows its answer as a Message);
 * with `model: "auto"` it may be answered by any provider's model.
 */
export function messagesHandler(intake: JobIntake): HotHandler {
  return async (req, res) => {
    const parsed = messagesSurface.parse(req.body ?? undefined, { tenant: req.tenant }) as Awaited<ReturnType<typeof messagesSurface.parse>>;
    const request = withAnthropicHeaders(parsed.request, (name) => headerValue(req.headers, name));
    const hints = { ...hintsFromHeaders((name) => headerValue(req.headers, name)), ...parsed.hints };
    const options: JobOptions = { requested_model: parsed.requestedModel, latency: 'sync', stream: parsed.stream, metadata: parsed.metadata, surface: 'messages', ...hints };
    const call = fastPathCall(res);

    if (!parsed.stream) {
      const finished = await intake.runFast(req.tenant, request, options, call.onStart, undefined, call.signal);
      return sendFinished(res, finished);
    }

    let encoder: MessagesStreamEncoder | undefined;
    const write = (event: StreamEvent, model: string | undefined) => {
      if (!encoder) {
        // Headers go out with the first event, so failures before it still get a proper error status.
        encoder = new MessagesStreamEncoder(messageId(call.job?.id ?? ''), model ?? (event.type === 'done' ? event.response.model : request.model));
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      }
      for (const frame of encoder.encode(event)) res.write(sseFrame(frame));
    };
    const finished = await intake.runFast(req.tenant, request, options, call.onStart, write, call.signal);
    if (!res.headersSent) {
      if (finished.status !== 'completed') return sendFinished(res, finished);
      // Served without a provider stream (e.g. a stored answer): replay it as one.
      const done = toDoneResponse(finished);
      for (const event of replayEvents(done)) write(event, done.model);
    } else if (finished.status !== 'completed') {
      res.write(sseFrame({ event: 'error', data: jobErrorToAnthropic(finished.error).body }));
    }
    res.end();
  };
}

function sendFinished(res: ServerResponse, job: JobRecord): void {
  if (job.status === 'completed' && job.response) {
    for (const [name, value] of Object.entries(parsimonyHeaders(job))) res.setHeader(name, value);
    sendJson(res, 200, job.response);
    return;
  }
  const error = jobErrorToAnthropic(job.error);
  if (job.error?.retry_after_seconds !== undefined) res.setHeader('retry-after', String(job.error.retry_after_seconds));
  sendJson(res, error.status, error.body);
}

/** A stored answer as a stream, its reasoning first (the cache replay only knows text and tool calls). */
function replayEvents(response: ChatResponse): StreamEvent[] {
  const reasoning: StreamEvent[] = (response.reasoning ?? []).flatMap((part) => [...(part.text ? [{ type: 'reasoning' as const, text: part.text }] : []), { type: 'reasoning_done' as const, part }]);
  return [...reasoning, ...responseToStreamEvents(response)];
}

function toDoneResponse(job: JobRecord): ChatResponse {
  return { ...job.result!, model: job.route?.model ?? job.result!.model, usage: job.usage ?? job.result!.usage };
}
