/** Response headers every OpenAI answer carries. */
export function openAIHeaders(requestId: string, startedAt: number): Record<string, string> {
  return {
    'x-request-id': requestId,
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(Date.now() - startedAt),
    'openai-organization': 'org-simulator',
  };
}
