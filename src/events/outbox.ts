import { newId } from '../domain/ids.js';
import type { SyncRecord } from '../store/records-repo.js';
import type { Repos } from '../store/store.js';
import { EVENTFUL, statusEvent } from './status-event.js';

/**
 * Writes the status event of a record's current status for the tenant's
 * webhook, inside the caller's transaction (an outbox): the event exists if
 * and only if the status change committed, and so does its per-record
 * `sequence`. Returns the delivery id, or null
 * when the status is not reported or the tenant has no webhook.
 */
export async function newDeliveryFor(repos: Repos, record: SyncRecord, now: Date): Promise<string | null> {
  if (!EVENTFUL.has(record.status)) return null;
  const endpoint = await repos.webhooks.endpoint(record.tenantId);
  if (!endpoint) return null;
  const id = `msg_${newId(now)}`;
  // Numbered in this transaction, so the number commits (or not) with the status change.
  const sequence = await repos.webhooks.nextSequence(record.id);
  await repos.webhooks.addDelivery({ id, tenantId: record.tenantId, recordId: record.id, eventType: `invoice.${record.status}`, payload: statusEvent(record, now, sequence), sequence });
  return id;
}
