import type { Logger } from 'pino';

export interface PeriodicRound {
  /** Runs a round now, or joins the one running. */
  runNow(): Promise<void>;
  /** No more rounds; resolves when the one running has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs` (and on `runNow`), never two at once in this
 * process. A failed round is logged with `failure` and simply tried again at
 * the next tick: the work it looks for is in the database, so nothing is lost.
 */
export function startPeriodicRound(round: () => Promise<void>, options: { intervalMs: number; log: Logger; failure: string; runAtStart?: boolean }): PeriodicRound {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runNow = () => {
    if (running) return running;
    running = round()
      .catch((err: unknown) => options.log.warn({ err }, options.failure))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, options.intervalMs);
  timer.unref();
  if (options.runAtStart) void runNow();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
