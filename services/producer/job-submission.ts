import { ApiError } from '../../shared/core/errors/api-error';
import { parseDeadline } from '../../shared/core/jobs/deadline';
import type { JobOptions } from '../../shared/core/jobs/job-record';
import type { ChatRequest } from '../../shared/core/chat-model';
import { SURFACE_DEFINITIONS, surfaceForPath, type SurfaceDefinition } from '../../shared/surfaces/registry';
import type { PreviousResponseLookup } from '../../shared/surfaces/responses/response-store';
import { CallbackRefusedError } from '../../shared/platform/webhooks/ssrf-guard';
import { JobEnvelopeSchema, type JobEnvelope } from './jobs-envelope';

/** What one POST /v1/jobs envelope asks for, checked and mapped into the internal model (nothing stored yet). */
export interface JobSubmission {
  envelope: JobEnvelope;
  request: ChatRequest;
  options: JobOptions;
}

export interface SubmissionContext {
  tenant: string;
  /** The Idempotency-Key header (single submissions only). */
  headerKey?: string;
  /** Vets callback_url (the SSRF guard); throws CallbackRefusedError. */
  checkCallback: (url: string) => Promise<void>;
  previousResponses?: PreviousResponseLookup;
}

/**
 * Parses one envelope (schema, surface, request body, callback URL) into the
 * job request and options. Throws a 400-worthy error (ZodError or ApiError) on
 * bad input; the catalog check is the intake's.
 */
export async function prepareSubmission(body: unknown, ctx: SubmissionContext): Promise<JobSubmission> {
  const envelope = JobEnvelopeSchema.parse(body ?? undefined);
  if (ctx.headerKey && envelope.idempotency_key && ctx.headerKey !== envelope.idempotency_key) throw ApiError.invalid('Idempotency-Key header and idempotency_key field differ; send one of them');
  const idempotencyKey = envelope.idempotency_key ?? ctx.headerKey;
  const surface = surfaceOf(envelope);
  const requestedModel = envelope.model ?? (typeof envelope.request.model === 'string' ? envelope.request.model : 'auto');
  const parsed = await prefixIssues(() => surface.parse({ ...envelope.request, model: requestedModel }, { tenant: ctx.tenant, previousResponses: ctx.previousResponses }));
  if (parsed.stream) throw ApiError.invalid(`request.stream: jobs cannot stream; use POST ${surface.path} for a streamed answer`);
  if (envelope.callback_url)
    await ctx.checkCallback(envelope.callback_url).catch((err: unknown) => {
      throw err instanceof CallbackRefusedError ? ApiError.invalid(`callback_url ${err.message}`) : err;
    });
  const options: JobOptions = {
    requested_model: requestedModel,
    // The envelope's hints win over the body's (a chat body's `parsimony` object).
    task: envelope.task ?? parsed.hints?.task,
    min_tier: envelope.min_tier ?? parsed.hints?.min_tier,
    max_tier: envelope.max_tier ?? parsed.hints?.max_tier,
    cache: envelope.cache ?? parsed.hints?.cache,
    surface: surface.surface,
    ...(parsed.echo ? { surface_echo: parsed.echo } : {}),
    latency: envelope.latency,
    deadline: envelope.deadline ? (parseDeadline(envelope.deadline) as { at: Date }).at.toISOString() : undefined,
    callback_url: envelope.callback_url,
    metadata: envelope.metadata,
    idempotency_key: idempotencyKey,
  };
  return { envelope, request: parsed.request, options };
}

/** The surface an envelope names (by name or path); chat completions when it names none. */
function surfaceOf(envelope: JobEnvelope): SurfaceDefinition {
  const byPath = envelope.endpoint === undefined ? undefined : surfaceForPath(envelope.endpoint);
  const runnable = Object.values(SURFACE_DEFINITIONS)
    .map((d) => `"${d!.path}"`)
    .join(', ');
  if (envelope.endpoint !== undefined && !byPath) throw ApiError.invalid(`endpoint: "${envelope.endpoint}" does not run as a job; jobs run ${runnable}`);
  const byName = envelope.surface === undefined ? undefined : SURFACE_DEFINITIONS[envelope.surface];
  // Embeddings answer outside the chat pipeline (only synchronously, at POST /v1/embeddings).
  if (envelope.surface !== undefined && !byName) throw ApiError.invalid(`surface: "${envelope.surface}" does not run as a job; jobs run ${runnable}`);
  if (byPath && byName && byPath !== byName) throw ApiError.invalid(`surface "${envelope.surface}" and endpoint "${envelope.endpoint}" differ; send one of them`);
  return byPath ?? byName ?? SURFACE_DEFINITIONS.chat_completions!;
}

/** Re-labels schema errors of the embedded body as `request.<path>`. */
async function prefixIssues<T>(parse: () => T | Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (err) {
    if (err && typeof err === 'object' && 'issues' in err) for (const issue of (err as { issues: { path: PropertyKey[] }[] }).issues) issue.path.unshift('request');
    throw err;
  }
}
