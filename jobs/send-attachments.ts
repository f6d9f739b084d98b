import type { Logger } from 'pino';
import type { AttachmentSender } from '../src/sync/attachment-sender.js';
import { startPeriodicRound, type PeriodicRound } from './periodic-round.js';

/** Every `intervalMs`, one round of attachment uploads (each attachment exactly once; see AttachmentSender). */
export function startAttachmentSender(sender: AttachmentSender, log: Logger, intervalMs: number): PeriodicRound {
  return startPeriodicRound(
    async () => {
      const counts = await sender.sendOnce();
      if (counts.done || counts.found || counts.failed) log.info(counts, 'invoice attachments sent');
    },
    { intervalMs, log, failure: 'sending attachments failed; will try again' },
  );
}
