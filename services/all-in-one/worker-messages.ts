import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { VectorStore } from '../../shared/levers/cache/stores/vector-store';

/**
 * The messages between the all-in-one's main process and its pipeline worker
 * children (worker-children.ts, pipeline-worker-child.ts), over the fork IPC
 * channel with `serialization: 'advanced'` (structured clone, so a query's
 * Float32Array crosses as one). Both ends are this code base, so the types
 * are the contract; a message of an unknown shape is ignored.
 */

/** The vector store operations a child forwards to the main process's one index (init and close stay local). */
export const VECTOR_OPS = ['upsert', 'search', 'delete', 'deleteExpired', 'count'] as const;
export type VectorOp = (typeof VECTOR_OPS)[number];

/** Child → main: run one store operation on the index; answered by a `reply` with the same id. */
export interface StoreCall {
  type: 'store';
  id: number;
  op: VectorOp;
  args: Parameters<VectorStore[VectorOp]>;
}

/** Child → main: the child's worker is taking jobs. */
export interface ChildReady {
  type: 'ready';
  /** Dimensions of the child's embedder: must match the main process's index. Absent: cache off. */
  dims?: number;
}

/** Main → child: send your metrics (for GET /metrics, which the main process serves for the group). */
export interface MetricsCall {
  type: 'metrics';
  id: number;
}

/** Either direction: the answer to a call. */
export interface Reply {
  type: 'reply';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export type ChildMessage = StoreCall | ChildReady | Reply;
export type ParentMessage = MetricsCall | Reply;

/** A child's registry.getMetricsAsJSON(). */
export type ChildMetrics = MetricObjectWithValues<MetricValue<string>>[];

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}
