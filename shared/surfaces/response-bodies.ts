import type { ChatResponse } from '../core/chat-model';
import { chatResponseToCompletion } from './chat-completions/from-internal';
import type { Surface } from './surface';

/** Builds the body a surface returns for an answer: one line per surface. */
type ResponseBodyEncoder = (response: ChatResponse, jobId: string, model: string) => Record<string, unknown>;

const ENCODERS: Partial<Record<Surface, ResponseBodyEncoder>> = {
  chat_completions: (response, jobId, model) => chatResponseToCompletion(response, completionId(jobId), model),
};

/** The answer as the job's surface shows it (`GET /v1/jobs/:id`, batch output lines, the fast path). */
export function surfaceResponseBody(surface: Surface | undefined, response: ChatResponse, jobId: string, model: string): Record<string, unknown> {
  const encode = ENCODERS[surface ?? 'chat_completions'] ?? ENCODERS.chat_completions!;
  return encode(response, jobId, model);
}

/** Chat-completion id of a job: stable, so a replayed stream and the stored record agree. */
export function completionId(jobId: string): string {
  return `chatcmpl-${jobId.replace(/^job_/, '')}`;
}
