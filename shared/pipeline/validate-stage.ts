import type { Catalog } from '../core/catalog/catalog';
import { ApiError } from '../core/errors/api-error';
import type { ChatRequest } from '../core/chat-model';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../core/stage';

/**
 * Checks what the HTTP schema cannot: the requested model exists and its
 * provider is configured, and the model can do what the request needs. The
 * producer runs it before accepting a job, so bad input is a 400 at
 * submission, never a failed job later; the pipeline runs it again because a
 * catalog may change while a job waits.
 */
export class ValidateStage implements Stage {
  readonly name = 'validate';

  constructor(
    private readonly catalog: Catalog,
    private readonly isProviderConfigured: (provider: string) => boolean,
  ) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    this.check(ctx.job.options.requested_model, ctx.request);
    return CONTINUE;
  }

  /** Throws ApiError (400) when the request cannot run. */
  check(requestedModel: string, request: ChatRequest): void {
    if (requestedModel === 'auto') return;
    const model = this.catalog.find(requestedModel);
    if (!model) {
      const known = this.catalog.models.map((m) => m.id).join(', ');
      throw ApiError.invalid(`model "${requestedModel}" is not in the catalog; use "auto" or one of: ${known}`);
    }
    if (!this.isProviderConfigured(model.provider)) throw ApiError.invalid(`model "${requestedModel}" needs provider ${model.provider}, which is not configured on this server`);
    if (request.tools?.length && !model.capabilities.includes('tools')) throw ApiError.invalid(`model "${requestedModel}" does not support tools`);
    if (request.messages.some((m) => m.role === 'user' && m.content.some((p) => p.type === 'image')) && !model.capabilities.includes('vision'))
      throw ApiError.invalid(`model "${requestedModel}" does not accept images`);
    if ((request.n ?? 1) > 1 && !model.capabilities.includes('n')) throw ApiError.invalid(`model "${requestedModel}" returns one choice per request: n must be 1`);
    if (request.logprobs && !model.capabilities.includes('logprobs')) throw ApiError.invalid(`model "${requestedModel}" does not return logprobs`);
  }
}
