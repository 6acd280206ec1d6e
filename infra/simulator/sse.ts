import type { ServerResponse } from 'node:http';
import { sleep } from './http';

/**
 * Server-sent events writer. Events are written as they are produced; with a
 * chunk delay the stream trickles like a real model's would. Writing stops
 * quietly when the client goes away.
 */
export class SseWriter {
  constructor(
    private readonly res: ServerResponse,
    private readonly chunkDelayMs: number,
  ) {}

  start(headers: Record<string, string>): void {
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** OpenAI style: `data: {json}`. */
  async data(payload: unknown): Promise<void> {
    await this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** Anthropic style: `event: type` + `data: {json}`. */
  async event(name: string, payload: unknown): Promise<void> {
    await this.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  async raw(text: string): Promise<void> {
    await this.write(text);
  }

  end(): void {
    if (!this.closed) this.res.end();
  }

  private async write(text: string): Promise<void> {
    if (this.closed) return;
    if (this.chunkDelayMs > 0) await sleep(this.chunkDelayMs);
    if (!this.closed) this.res.write(text);
  }
}
