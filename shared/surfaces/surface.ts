/**
 * The wire formats a request can arrive in. Each has its folder here (schema,
 * mapping into the internal model and back, stream codec); the job keeps the
 * surface it came from so its answer is shown in the same format.
 */
export const SURFACES = ['chat_completions', 'responses', 'messages', 'embeddings'] as const;
export type Surface = (typeof SURFACES)[number];
