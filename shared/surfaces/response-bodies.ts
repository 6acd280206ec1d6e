import type { ChatResponse } from '../core/chat-model';
import type { Surface } from './surface';
import { surfaceDefinition, type SurfaceEncodeContext } from './registry';
export { completionId } from './chat-completions/completion-id';

/** The answer as the job's surface shows it (`GET /v1/jobs/:id`, batch output lines, the fast path). */
export function surfaceResponseBody(surface: Surface | undefined, response: ChatResponse, jobId: string, model: string, job?: SurfaceEncodeContext): Record<string, unknown> {
  return surfaceDefinition(surface).encode(response, jobId, model, job);
}
