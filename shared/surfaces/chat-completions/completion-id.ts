/** Chat-completion id of a job: stable, so a replayed stream and the stored record agree. */
export function completionId(jobId: string): string {
  return `chatcmpl-${jobId.replace(/^job_/, '')}`;
}
