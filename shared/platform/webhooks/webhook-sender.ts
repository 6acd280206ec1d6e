import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { CallbackRefusedError, guardedLookup, isPrivateAddress, normaliseHost } from './ssrf-guard';

export interface SendOptions {
  /** Whole-attempt timeout (connect, send, response headers), ms. */
  timeoutMs: number;
  /** Hosts exempt from the private-address check. */
  allowHosts: readonly string[];
}

export interface SendResult {
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  /** The target was refused by the SSRF guard: retrying cannot help. */
  refused: boolean;
}

/**
 * POSTs one webhook attempt. Redirects are not followed (a 3xx is a failed
 * attempt), the connection goes only to an address the SSRF guard accepted,
 * and the response body is discarded.
 */
export async function sendWebhook(url: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const done = (status_code: number | null, error: string | null, refused = false): SendResult => ({ status_code, error, duration_ms: Date.now() - started, refused });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return done(null, 'invalid callback URL', true);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return done(null, 'callback URL must be http(s)', true);
  const host = normaliseHost(target.hostname);
  // IP literals skip the lookup hook, so they are checked here.
  if (isIP(host) && !options.allowHosts.includes(host) && isPrivateAddress(host)) return done(null, `refused: ${host} is a private address`, true);

  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Parsimony-Webhooks/1', ...headers },
        lookup: guardedLookup(options.allowHosts) as never,
        agent: false,
      },
      (res: IncomingMessage) => {
        res.resume();
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        finish(done(status, ok ? null : status >= 300 && status < 400 ? `redirect to ${res.headers.location ?? '?'} not followed` : `receiver answered ${status}`));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('error', (err) => finish(done(null, err.message, err instanceof CallbackRefusedError || (err as NodeJS.ErrnoException).code === 'EPRIVATE')));
    req.end(body);
  });
}
