import { z } from 'zod';
import { parseDeadline } from '../../shared/core/jobs/deadline';
import { RequestHintsSchema } from '../../shared/core/jobs/request-hints';
import { SURFACES } from '../../shared/surfaces/surface';

/** The body of POST /v1/jobs. Strict: an unknown field is a 400, not a silent no-op. */
export const JobEnvelopeSchema = z
  .object({
    /** A request body of the envelope's surface (chat completions by default); its `model` may be left out when the envelope sets one. */
    request: z.record(z.string(), z.unknown(), { message: "request must be a request body of the job's surface (an object; chat completions by default)" }),
    /** The wire format of `request` and of the job's answer: a surface name ("responses") … Default chat_completions. */
    surface: z.enum(SURFACES).optional(),
    /** … or the path its requests are POSTed to ("/v1/responses"), as a Batch API line names it. */
    endpoint: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    task: RequestHintsSchema.shape.task,
    min_tier: RequestHintsSchema.shape.min_tier,
    max_tier: RequestHintsSchema.shape.max_tier,
    cache: RequestHintsSchema.shape.cache,
    latency: z.enum(['sync', 'async', 'batch']).default('async'),
    deadline: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        const parsed = parseDeadline(value);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
      }),
    callback_url: z
      .url({ protocol: /^https?$/, message: 'callback_url must be an http(s) URL' })
      .max(2048)
      .optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    idempotency_key: z.string().min(1).max(255).optional(),
  })
  .strict();

export type JobEnvelope = z.infer<typeof JobEnvelopeSchema>;
