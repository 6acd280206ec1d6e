import type { ChatRequest, ChatResponse } from '../core/chat-model';
import type { RequestHints } from '../core/jobs/request-hints';
import type { JobOptions } from '../core/jobs/job-record';
import { chatCompletionsSurface } from './chat-completions/definition';
import { responsesSurface } from './responses/definition';
import type { PreviousResponseLookup } from './responses/response-store';
import { messagesSurface } from './messages/definition';
import type { Surface } from './surface';

/** A request body of some surface, validated and mapped into the internal model. */
export interface ParsedSurfaceRequest {
  request: ChatRequest;
  /** The model the caller named: a catalog id or "auto". */
  requestedModel: string;
  stream: boolean;
  metadata?: Record<string, unknown>;
  /** Parsimony hints carried in the body (e.g. chat completions' `parsimony` object). */
  hints?: RequestHints;
  /** Fields of the body the surface's answer echoes (JobOptions.surface_echo). */
  echo?: Record<string, unknown>;
}

/** The job an answer belongs to, for surfaces whose body echoes the request (a Response's tools, instructions, …). */
export interface SurfaceEncodeContext {
  request?: ChatRequest;
  options?: Pick<JobOptions, 'metadata' | 'surface_echo'>;
  /** Unix seconds the job was created. */
  createdAt?: number;
}

/** What parsing may need besides the body (e.g. the tenant, whose stored conversation state a request may continue). */
export interface SurfaceParseContext {
  tenant: string;
  /** The tenant's stored Responses, for a Responses body with previous_response_id (refused with a 400 where absent). */
  previousResponses?: PreviousResponseLookup;
}

/**
 * One wire format at the edge. Each surface folder exports one of these and
 * adds one line to SURFACE_DEFINITIONS; the HTTP routes, POST /v1/jobs and the
 * Batch API all go through it, so a surface is accepted everywhere at once.
 */
export interface SurfaceDefinition {
  readonly surface: Surface;
  /** The path its requests are POSTed to; also a Batch API line's `url`. */
  readonly path: string;
  /** Validates a body (throws a ZodError or ApiError on bad input) and maps it into the internal model. */
  parse(body: unknown, context: SurfaceParseContext): ParsedSurfaceRequest | Promise<ParsedSurfaceRequest>;
  /** The body this surface returns for an answer; `job` gives the request it answers (for surfaces that echo it). */
  encode(response: ChatResponse, jobId: string, model: string, job?: SurfaceEncodeContext): Record<string, unknown>;
}

export const SURFACE_DEFINITIONS: Partial<Record<Surface, SurfaceDefinition>> = {
  chat_completions: chatCompletionsSurface,
  responses: responsesSurface,
  messages: messagesSurface,
};

/** The definition of a surface (chat completions when none is named). */
export function surfaceDefinition(surface: Surface | undefined): SurfaceDefinition {
  return SURFACE_DEFINITIONS[surface ?? 'chat_completions'] ?? chatCompletionsSurface;
}

/** The surface whose requests are POSTed to `path`, if any. */
export function surfaceForPath(path: string): SurfaceDefinition | undefined {
  return Object.values(SURFACE_DEFINITIONS).find((d) => d?.path === path);
}
