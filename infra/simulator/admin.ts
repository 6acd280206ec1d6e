import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SimState } from './context';
import { FaultsBodySchema } from './faults';
import { readBody, sendJson } from './http';
import { TierSettingsBodySchema } from './tiers';

/**
 * The simulator's own admin API under /_sim, for processes in other
 * containers that cannot reach the in-process handle:
 *   POST /_sim/faults {rules?, latency_ms?}, DELETE /_sim/faults, GET /_sim/faults,
 *   POST /_sim/tiers {flex?, batch?, seed?} (see tiers.ts), GET /_sim/tiers, DELETE /_sim/tiers,
 *   GET /_sim/stats, POST /_sim/reset, GET /_sim/health.
 */
export async function handleAdmin(sim: SimState, reset: () => void, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const route = `${req.method} ${path}`;
  try {
    switch (route) {
      case 'POST /_sim/faults': {
        const raw = await readBody(req, 1024 * 1024);
        const parsed = FaultsBodySchema.safeParse(raw ? JSON.parse(raw) : {});
        if (!parsed.success) return sendJson(res, 400, { error: { type: 'invalid_request_error', message: z.prettifyError(parsed.error) } });
        for (const rule of parsed.data.rules ?? []) sim.faults.add(rule);
        if (parsed.data.latency_ms !== undefined) sim.faults.setLatency(parsed.data.latency_ms);
        return sendJson(res, 200, faultsView(sim));
      }
      case 'DELETE /_sim/faults':
        sim.faults.clear();
        return sendJson(res, 200, faultsView(sim));
      case 'GET /_sim/faults':
        return sendJson(res, 200, faultsView(sim));
      case 'POST /_sim/tiers': {
        const raw = await readBody(req, 64 * 1024);
        const parsed = TierSettingsBodySchema.safeParse(raw ? JSON.parse(raw) : {});
        if (!parsed.success) return sendJson(res, 400, { error: { type: 'invalid_request_error', message: z.prettifyError(parsed.error) } });
        sim.tiers.set(parsed.data);
        return sendJson(res, 200, sim.tiers.view());
      }
      case 'GET /_sim/tiers':
        return sendJson(res, 200, sim.tiers.view());
      case 'DELETE /_sim/tiers':
        sim.tiers.clear();
        return sendJson(res, 200, sim.tiers.view());
      case 'GET /_sim/stats':
        return sendJson(res, 200, sim.stats.snapshot());
      case 'POST /_sim/reset':
        req.resume();
        reset();
        return sendJson(res, 200, { ok: true });
      case 'GET /_sim/health':
        return sendJson(res, 200, { status: 'ok' });
      default:
        req.resume();
        return sendJson(res, 404, { error: { type: 'not_found_error', message: `Unknown admin route ${route}` } });
    }
  } catch (err) {
    sendJson(res, 400, { error: { type: 'invalid_request_error', message: (err as Error).message } });
  }
}

function faultsView(sim: SimState) {
  return { rules: sim.faults.list(), latency_ms: sim.faults.latencyMs };
}
