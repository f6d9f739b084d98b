import type { RedisClient } from '../queue/redis-client.js';
import type { Logger } from 'pino';
import type { UrlPolicy } from '../http/url-guard.js';
import { AttachmentsRepo, type AttachmentRow } from '../store/attachments-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { ProviderError } from '../../providers/errors/provider-error.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import { loadConnection } from './connection-store.js';
import { buildProviderContext } from './provider-context-factory.js';

export interface AttachmentSenderDeps {
  store: Store;
  registry: ProviderRegistry;
  secretBox: SecretBox;
  redis: RedisClient;
  redisPrefix: string;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
}

/** `gone`: taken back (deleted) after it was taken for sending: nothing was sent. */
export type AttachOutcome = 'done' | 'found' | 'failed' | 'later' | 'gone';

/**
 * Sends each invoice attachment to the provider exactly once, like the
 * create: `sending` is recorded before the upload, and an attachment that may
 * have arrived (a crash, a lost answer, a 5xx) is first looked up by its
 * unique name at the provider — found, it is adopted; only "not there" allows
 * another upload. Attachments wait until their invoice is at the provider and
 * no sync worker holds it.
 */
export class AttachmentSender {
  constructor(private readonly deps: AttachmentSenderDeps) {}

  async sendOnce(limit = 20): Promise<Record<AttachOutcome, number>> {
    const counts: Record<AttachOutcome, number> = { done: 0, found: 0, failed: 0, later: 0, gone: 0 };
    const repo = new AttachmentsRepo(this.deps.store.db);
    for (const a of await repo.take(limit, 5 * 60_000)) counts[await this.sendOne(a)] += 1;
    return counts;
  }

  async sendOne(a: AttachmentRow): Promise<AttachOutcome> {
    const { deps } = this;
    const repo = new AttachmentsRepo(deps.store.db);
    const record = await deps.store.repos.records.getById(a.recordId);
    const provider = record ? deps.registry[record.provider as keyof ProviderRegistry] : undefined;
    const connection = record && provider ? await loadConnection(deps.store.repos, deps.secretBox, record.tenantId, record.provider) : null;
    if (!record?.providerInvoiceId || !provider || !connection) {
      await repo.retryLater(a.id, new Date(deps.clock().getTime() + 3600_000), { code: 'no_connection', message: 'the invoice or its connection is not there' });
      return 'later';
    }
    if (!provider.attach || !provider.findAttachment) {
      await repo.markFailed(a.id, {
        code: 'attachments_not_supported',
        message: `${provider.displayName} takes attachments only with the invoice itself; ledgerlink cannot add ${a.filename} to invoice ${record.providerInvoiceNumber ?? record.providerInvoiceId} afterwards. Attach it there by hand (next time, post the PDF with the invoice, in "attachments" of POST /v1/invoices, so it goes inside it).`,
      });
      return 'failed';
    }
    const { ctx } = buildProviderContext(
      { repos: deps.store.repos, redis: deps.redis, redisPrefix: deps.redisPrefix, urlPolicy: deps.urlPolicy, clock: deps.clock, log: deps.log },
      connection,
      { providerName: provider.displayName, maxBudgetWaitMs: 1000 },
    );
    const invoice = { id: record.providerInvoiceId, number: record.providerInvoiceNumber, state: record.providerState };
    try {
      if (a.status === 'sending') {
        // An earlier upload may have arrived: look before sending again.
        const found = await provider.findAttachment(ctx, invoice, a.name);
        if (found) {
          await repo.markDone(a.id, found.id);
          return 'found';
        }
      }
      if (!(await repo.markSending(a.id))) return 'gone';
      const sent = await provider.attach(ctx, invoice, { name: a.name, filename: a.filename, contentType: 'application/pdf', data: await repo.data(a.id) });
      await repo.markDone(a.id, sent.id);
      return 'done';
    } catch (error) {
      const described = error instanceof ProviderError ? error.toJSON() : { code: 'attach_failed', message: (error as Error).message };
      if (error instanceof ProviderError && error.category === 'validation') {
        await repo.markFailed(a.id, described);
        return 'failed';
      }
      const wait = error instanceof ProviderError && error.retryAfterMs !== undefined ? error.retryAfterMs : Math.min(3600_000, 5_000 * 2 ** Math.min(10, a.tries));
      await repo.retryLater(a.id, new Date(deps.clock().getTime() + wait), described);
      return 'later';
    }
  }
}
