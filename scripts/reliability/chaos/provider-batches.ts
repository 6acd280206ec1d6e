import type { Cluster } from './cluster';

/**
 * Watches the simulator's provider batches during the run and audits them at
 * the end. OpenAI input files are deleted once a batch is collected, so their
 * custom_ids are read as soon as a batch shows up; Anthropic results stay
 * readable once a batch has ended. A custom_id held by two provider batches
 * that both ran (not expired, cancelled or failed) is a duplicate submission.
 */
/** One page of a simulator batch list (OpenAI `/v1/batches`, Anthropic `/v1/messages/batches`). */
interface SimPage {
  data: unknown[];
  has_more?: boolean;
  last_id?: string | null;
}

interface Seen {
  provider: 'openai' | 'anthropic';
  status: string;
  /** custom_ids that ran in this batch (for Anthropic: whose result is not canceled/expired). */
  customIds?: string[];
}

const OPENAI_RAN = ['validating', 'in_progress', 'finalizing', 'completed'];

export class ProviderBatchAudit {
  private readonly batches = new Map<string, Seen>();

  constructor(private readonly cluster: Cluster) {}

  async watchOnce(): Promise<void> {
    for (let after: string | undefined, more = true; more;) {
      const page = await this.cluster.sim<SimPage>(`/v1/batches?limit=100${after ? `&after=${after}` : ''}`);
      for (const b of page.data as { id: string; status: string; input_file_id: string }[]) {
        const seen = this.batches.get(b.id) ?? { provider: 'openai' as const, status: b.status };
        seen.status = b.status;
        if (!seen.customIds) {
          const content: string | undefined = await this.cluster.sim<string>(`/v1/files/${b.input_file_id}/content`).catch(() => undefined);
          if (content !== undefined)
            seen.customIds = content
              .split('\n')
              .filter(Boolean)
              .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
        }
        this.batches.set(b.id, seen);
      }
      more = page.has_more === true;
      after = page.last_id ?? undefined;
    }
  }

  private async anthropic(): Promise<void> {
    for (let after: string | undefined, more = true; more;) {
      const page = await this.cluster.sim<SimPage>(`/v1/messages/batches?limit=1000${after ? `&after_id=${after}` : ''}`);
      for (const b of page.data as { id: string; processing_status: string }[]) {
        const seen: Seen = this.batches.get(b.id) ?? { provider: 'anthropic', status: b.processing_status };
        seen.status = b.processing_status;
        if (b.processing_status === 'ended' && !seen.customIds) {
          const text = await this.cluster.sim<string>(`/v1/messages/batches/${b.id}/results`);
          seen.customIds = text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { custom_id: string; result: { type: string } })
            .filter((r) => r.result.type === 'succeeded' || r.result.type === 'errored')
            .map((r) => r.custom_id);
        }
        this.batches.set(b.id, seen);
      }
      more = page.has_more === true;
      after = page.last_id ?? undefined;
    }
  }

  /** Final audit: duplicates by custom_id and by job id, and batches whose contents could not be read. */
  async audit(): Promise<{ provider_batches: number; duplicate_provider_batches: number; jobs_in_two_running_batches: number; unreadable_batches: number }> {
    await this.watchOnce();
    await this.anthropic();
    const byCustomId = new Map<string, number>();
    const byJob = new Map<string, number>();
    let unreadable = 0;
    for (const seen of this.batches.values()) {
      const ran = seen.provider === 'openai' ? OPENAI_RAN.includes(seen.status) : seen.status !== 'canceling';
      if (!seen.customIds) {
        unreadable += 1;
        continue;
      }
      if (!ran) continue;
      for (const id of seen.customIds) {
        byCustomId.set(id, (byCustomId.get(id) ?? 0) + 1);
        const job = id.slice(id.indexOf('-') + 1);
        byJob.set(job, (byJob.get(job) ?? 0) + 1);
      }
    }
    return {
      provider_batches: this.batches.size,
      duplicate_provider_batches: [...byCustomId.values()].filter((n) => n > 1).length,
      jobs_in_two_running_batches: [...byJob.values()].filter((n) => n > 1).length,
      unreadable_batches: unreadable,
    };
  }
}
