import type { FastifyReply } from 'fastify';

/**
 * Responses a sandbox holds back on purpose (to simulate "stored, then timed
 * out"). Tracked so closing the sandbox never hangs on them.
 */
export class HeldResponses {
  private readonly held = new Set<{ timer: NodeJS.Timeout; finish: () => void }>();

  /** Waits `ms`, or until released by close(), then lets the handler continue. */
  hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.held.delete(entry);
          resolve();
        }, ms),
        finish: () => resolve(),
      };
      this.held.add(entry);
    });
  }

  /** Drops the connection without an answer. */
  static reset(reply: FastifyReply): void {
    reply.hijack();
    reply.raw.socket?.destroy();
  }

  releaseAll(): void {
    for (const entry of this.held) {
      clearTimeout(entry.timer);
      entry.finish();
    }
    this.held.clear();
  }
}
