import type { Logger } from 'pino';
import type { StatusReader } from '../src/sync/status-reader.js';

/**
 * The status poller: every `intervalMs`, one round of reads over the invoices
 * that are due (see StatusReader: backoff by age, a bounded share of each
 * connection's budget). Runs in every worker process; two rounds at once take
 * different invoices (the database hands each out once), and a round never
 * overlaps the previous one in the same process.
 */
export function startStatusPoller(reader: StatusReader, log: Logger, intervalMs: number): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runNow = () => {
    if (running) return running;
    running = reader
      .pollOnce()
      .then((counts) => {
        if (counts.changed || counts.failed) log.info(counts, 'invoice statuses read back');
      })
      .catch((err: unknown) => log.warn({ err }, 'reading invoice statuses failed; will try again'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
