/**
 * Every observation of every job the chaos run submitted: the synchronous
 * answer, each GET /v1/jobs/:id, the webhook payload, the nightly output
 * line. A job whose result differs between two observations (or that goes
 * back from a final status) is a double result.
 */
export const TERMINAL = ['completed', 'failed', 'cancelled'];

export type JobKind = 'sync' | 'async' | 'batch-latency' | 'nightly';

/** The parts of a chat completion the run compares (an OpenAI completion, or a job's `response`). */
export interface CompletionView {
  id?: string;
  choices?: { message?: { content?: string | null; tool_calls?: unknown } }[];
}

/** The parts of a GET /v1/jobs/:id view (or a webhook's `data`) the run compares. */
export interface JobView {
  id: string;
  status: string;
  response?: CompletionView | null;
  completed_at?: string | null;
  delivered_by?: string | null;
  route?: { model?: string } | null;
  cost?: { actual_usd?: number } | null;
  error?: { type?: string; message?: string } | null;
}

export interface Tracked {
  id: string;
  tenant: 'acme' | 'globex';
  kind: JobKind;
  callback: boolean;
  /** Core result keys seen (status + answer id + content, or status + error). */
  cores: Set<string>;
  /** Full fingerprints seen on GET (core + completed_at, delivered_by, model, cost). */
  fulls: Set<string>;
  terminalSeen: boolean;
  regressed: boolean;
  /** The last GET view. */
  last?: JobView;
  observations: number;
}

export class Observations {
  readonly jobs = new Map<string, Tracked>();

  track(id: string, tenant: Tracked['tenant'], kind: JobKind, callback = false): Tracked {
    let t = this.jobs.get(id);
    if (!t) {
      t = { id, tenant, kind, callback, cores: new Set(), fulls: new Set(), terminalSeen: false, regressed: false, observations: 0 };
      this.jobs.set(id, t);
    }
    t.callback ||= callback;
    return t;
  }

  /** A GET /v1/jobs/:id view (or a webhook's `data`, which is the same view). */
  observeJob(view: JobView, full = true): void {
    const t = this.jobs.get(view.id);
    if (!t) return;
    t.observations += 1;
    if (full) t.last = view;
    if (!TERMINAL.includes(view.status)) {
      if (t.terminalSeen) t.regressed = true;
      return;
    }
    t.terminalSeen = true;
    t.cores.add(coreOf(view.status, view.response));
    if (full) t.fulls.add(JSON.stringify([coreOf(view.status, view.response), view.completed_at, view.delivered_by, view.route?.model ?? null, view.cost?.actual_usd ?? null]));
  }

  /** A synchronous answer (an OpenAI completion) or a nightly output line's body. */
  observeCompletion(id: string, completion: CompletionView): void {
    const t = this.jobs.get(id);
    if (!t) return;
    t.observations += 1;
    t.terminalSeen = true;
    t.cores.add(coreOf('completed', completion));
  }

  /** A failure seen from outside (a sync error status, a nightly error line): only its status is comparable. */
  observeFailure(id: string): void {
    const t = this.jobs.get(id);
    if (!t) return;
    t.observations += 1;
    t.terminalSeen = true;
    t.cores.add('failed');
  }

  doubleResults(): Tracked[] {
    return [...this.jobs.values()].filter((t) => t.regressed || t.fulls.size > 1 || coreConflict(t.cores));
  }
}

function coreOf(status: string, response: CompletionView | null | undefined): string {
  if (status === 'completed') return `completed|${response?.id ?? ''}|${response?.choices?.[0]?.message?.content ?? ''}|${JSON.stringify(response?.choices?.[0]?.message?.tool_calls ?? null)}`;
  if (status === 'failed') return 'failed';
  return status;
}

/** Two different completed answers, or completed and failed. */
function coreConflict(cores: Set<string>): boolean {
  return cores.size > 1;
}
