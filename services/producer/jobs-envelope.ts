import { z } from 'zod';
import { parseDeadline } from '../../shared/core/jobs/deadline';
import { RequestHintsSchema } from '../../shared/core/jobs/request-hints';

/** The body of POST /v1/jobs. Strict: an unknown field is a 400, not a silent no-op. */
export const JobEnvelopeSchema = z
  .object({
    /** An OpenAI chat-completions body; its `model` may be left out when the envelope sets one. */
    request: z.record(z.string(), z.unknown(), { message: 'request must be an OpenAI chat-completions body (an object)' }),
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
