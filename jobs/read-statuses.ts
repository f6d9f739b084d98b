import type { Logger } from 'pino';
import type { StatusReader } from '../src/sync/status-reader.js';
import { startPeriodicRound, type PeriodicRound } from './periodic-round.js';

/**
 * The status poller: every `intervalMs`, one round of reads over the invoices
 * that are due (see StatusReader: backoff by age, a bounded share of each
 * connection's budget). Runs in every worker process; two rounds at once take
 * different invoices (the database hands each out once), and a round never
 * overlaps the previous one in the same process.
 */
export function startStatusPoller(reader: StatusReader, log: Logger, intervalMs: number): PeriodicRound {
  return startPeriodicRound(
    async () => {
      const counts = await reader.pollOnce();
      if (counts.changed || counts.failed) log.info(counts, 'invoice statuses read back');
    },
    { intervalMs, log, failure: 'reading invoice statuses failed; will try again' },
  );
}
