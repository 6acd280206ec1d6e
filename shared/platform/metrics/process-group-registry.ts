import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Another process's metrics, as its registry.getMetricsAsJSON() returned them. */
export type RemoteMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** How long a scrape waits for one other process; a slower one is left out of that scrape. */
const SOURCE_TIMEOUT_MS = 2_000;

/**
 * A process's registry that can also speak for processes without an HTTP
 * server of their own (the all-in-one's pipeline worker children): with
 * sources added, `metrics()` is the sum over this process and every source
 * (prom-client's cluster aggregation: counters and histograms add up, each
 * default metric by its own aggregator). Without sources it is a plain
 * registry. A source that fails or is slow is left out of that scrape
 * rather than failing it.
 */
export class ProcessGroupRegistry extends Registry {
  private readonly sources = new Map<string, () => Promise<RemoteMetrics>>();

  /** Adds (or replaces) the metrics of another process; returns the function that removes them. */
  addSource(name: string, source: () => Promise<RemoteMetrics>): () => void {
    this.sources.set(name, source);
    return () => {
      if (this.sources.get(name) === source) this.sources.delete(name);
    };
  }

  override async metrics(): Promise<string> {
    if (this.sources.size === 0) return super.metrics();
    const remote = await Promise.all([...this.sources.values()].map((source) => withTimeout(source(), SOURCE_TIMEOUT_MS).catch(() => undefined)));
    const all = [await this.getMetricsAsJSON(), ...remote.filter((m): m is RemoteMetrics => m !== undefined)];
    return AggregatorRegistry.aggregate(all).metrics();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('timed out')), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
