import { createHash } from 'node:crypto';

/** Default share of small/mid routed jobs re-run on the frontier (PARSIMONY_SHADOW_SHARE). */
export const DEFAULT_SHADOW_SHARE = 0.02;

/**
 * A job's position in [0, 1), from the SHA-256 of its id: uniform over ids,
 * and the same for one id on every process and every run.
 */
export function shadowPosition(jobId: string): number {
  return createHash('sha256').update(`routing-shadow\0${jobId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Whether a job is shadowed at `share` (0 = never, 1 = always). Decided from
 * the job id alone, so the sample is reproducible (replaying the same jobs
 * shadows the same ones) and a re-delivered job never draws twice.
 */
export function isShadowSampled(jobId: string, share: number): boolean {
  if (!(share > 0)) return false;
  return share >= 1 || shadowPosition(jobId) < share;
}
