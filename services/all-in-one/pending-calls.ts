import type { Reply } from './worker-messages';

/**
 * Calls over an IPC channel that wait for their reply: each gets an id, the
 * reply with that id settles it. When the channel goes away every pending
 * call is rejected, so no caller waits forever on a dead process.
 */
export class PendingCalls {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  /** Sends the message `build(id)` with `send` and resolves with the reply's value (rejects with its error). */
  call<M>(send: (message: M, done: (err: Error | null) => void) => void, build: (id: number) => M): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        send(build(id), (err) => {
          if (err) this.fail(id, err);
        });
      } catch (err) {
        this.fail(id, err as Error);
      }
    });
  }

  /** Settles the call a reply answers; replies to unknown ids (already failed) are ignored. */
  settle(reply: Reply): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.pending.delete(reply.id);
    if (reply.ok) call.resolve(reply.value);
    else call.reject(new Error(reply.error ?? 'the other process failed the call'));
  }

  /** Rejects every call still waiting (the other process exited or the channel closed). */
  rejectAll(reason: string): void {
    for (const [id] of this.pending) this.fail(id, new Error(reason));
  }

  private fail(id: number, err: Error): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    call.reject(err);
  }
}

/** Runs `work` and sends its outcome as the reply to call `id`. */
export async function answer(id: number, work: () => Promise<unknown>, send: (reply: Reply) => void): Promise<void> {
  try {
    send({ type: 'reply', id, ok: true, value: await work() });
  } catch (err) {
    send({ type: 'reply', id, ok: false, error: (err as Error).message });
  }
}
