import type { Logger } from 'pino';
import type { AttachmentSender } from '../src/sync/attachment-sender.js';

/** Every `intervalMs`, one round of attachment uploads (each attachment exactly once; see AttachmentSender). */
export function startAttachmentSender(sender: AttachmentSender, log: Logger, intervalMs: number): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const runNow = () => {
    if (running) return running;
    running = sender
      .sendOnce()
      .then((counts) => {
        if (counts.done || counts.found || counts.failed) log.info(counts, 'invoice attachments sent');
      })
      .catch((err: unknown) => log.warn({ err }, 'sending attachments failed; will try again'))
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
