import { parseArgs } from 'node:util';
import { createLogger } from '../../shared/platform/logging/logger';
import { startSimulator } from './server';

/**
 * CLI: `npm run simulator -- --port N [--host H] [--latency-ms X] [--batch-seconds S]
 * [--chunk-delay-ms D] [--webhook-url U --webhook-secret whsec_…]`.
 * Webhook settings may also come from SIM_WEBHOOK_URL / SIM_WEBHOOK_SECRET.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.SIM_PORT ?? '8090' },
      host: { type: 'string', default: process.env.SIM_HOST ?? '127.0.0.1' },
      'latency-ms': { type: 'string' },
      'batch-seconds': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      'webhook-url': { type: 'string', default: process.env.SIM_WEBHOOK_URL },
      'webhook-secret': { type: 'string', default: process.env.SIM_WEBHOOK_SECRET },
    },
  });
  const log = createLogger({ service: 'simulator', level: process.env.LOG_LEVEL ?? 'info' });
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${value}"`);
    return n;
  };
  const webhookUrl = values['webhook-url'];
  const webhookSecret = values['webhook-secret'];
  if (Boolean(webhookUrl) !== Boolean(webhookSecret)) throw new Error('--webhook-url and --webhook-secret go together');

  const sim = await startSimulator({
    port: number('port', values.port),
    host: values.host,
    latencyMs: number('latency-ms', values['latency-ms']),
    batchSeconds: number('batch-seconds', values['batch-seconds']),
    chunkDelayMs: number('chunk-delay-ms', values['chunk-delay-ms']),
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : undefined,
    logger: log,
  });
  log.info({ url: sim.url, openai_base_url: `${sim.url}/v1`, anthropic_base_url: sim.url, host: values.host }, 'provider simulator listening');

  const stop = (signal: string) => {
    log.info({ signal }, 'provider simulator stopping');
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  createLogger({ service: 'simulator' }).fatal({ err }, 'provider simulator failed to start');
  process.exit(1);
});
