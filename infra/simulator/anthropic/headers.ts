/** Response headers every Anthropic answer carries. */
export function anthropicHeaders(requestId: string): Record<string, string> {
  return { 'request-id': requestId, 'anthropic-organization-id': '00000000-0000-4000-8000-000000000000' };
}
