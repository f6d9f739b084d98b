import axios, { type AxiosInstance } from 'axios';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { sign } from '../src/events/signing.js';
import { guardedAgents } from '../src/http/guarded-agents.js';
import { checkOutboundUrl, type UrlPolicy } from '../src/http/url-guard.js';
import { backoffMs, jobCatalog, type RetryPolicy } from '../src/queue/catalog.js';
import type { Scheduler } from '../src/queue/scheduler.js';
import type { SecretBox } from '../src/store/secret-box.js';
import type { Store } from '../src/store/store.js';
import { webhookAad } from '../src/routes/webhook.js';

export interface DeliverDeps {
  store: Store;
  secretBox: SecretBox;
  scheduler: Scheduler;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
  http?: AxiosInstance;
  random?: () => number;
  /** Retry policy (default: the job catalog's `deliver-event.retry`). */
  retry?: RetryPolicy;
  /** Hard deadline of one delivery, headers and body (default: the job catalog's `requestTimeoutMs`). */
  requestTimeoutMs?: number;
  onResult?: (result: 'delivered' | 'retrying' | 'failed') => void;
}

const spec = jobCatalog['deliver-event'];

/** A receiver's answer is read up to this size (its status is what counts). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Delivers one status event to the tenant's webhook, signed per Standard
 * Webhooks with a `webhook-id` that stays the same across retries. Every try
 * is logged; a non-2xx answer or no answer schedules the next try with
 * backoff and jitter, until 2xx or the retry budget (about three days) is spent.
 */
export async function deliverEvent(deps: DeliverDeps, deliveryId: string): Promise<'delivered' | 'retrying' | 'failed' | 'skipped'> {
  const repos = deps.store.repos;
  const delivery = await repos.webhooks.delivery(deliveryId);
  if (!delivery || delivery.status !== 'pending') return 'skipped';
  if (delivery.nextAttemptAt.getTime() > deps.clock().getTime() + 1000) return 'skipped';
  const endpoint = await repos.webhooks.endpoint(delivery.tenantId);
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  const url = endpoint?.url ?? '(no webhook configured)';
  if (!endpoint) {
    error = 'the tenant has no webhook any more';
  } else {
    const check = await checkOutboundUrl(endpoint.url, deps.urlPolicy);
    if (!check.ok) {
      error = `webhook URL ${check.reason}`;
    } else {
      const secret = deps.secretBox.open<string>(endpoint.secret, webhookAad(delivery.tenantId));
      const body = JSON.stringify(delivery.payload);
      const signed = sign({ secret, id: delivery.id, body, now: deps.clock() });
      if (!signed.ok) {
        error = signed.reason;
      } else {
        // A receiver that trickles its answer must not hold the worker: the deadline covers the whole exchange.
        const deadlineMs = deps.requestTimeoutMs ?? spec.requestTimeoutMs;
        const deadline = new AbortController();
        const timer = setTimeout(() => deadline.abort(), deadlineMs);
        try {
          const response = await (deps.http ?? axios).post(endpoint.url, body, {
            headers: { 'content-type': 'application/json', 'user-agent': 'ledgerlink-webhooks', ...signed.headers },
            timeout: deadlineMs,
            signal: deadline.signal,
            // Only the status matters; a receiver's answer is never read beyond this.
            maxContentLength: MAX_ANSWER_BYTES,
            validateStatus: () => true,
            maxRedirects: 0,
            // Never through HTTP(S)_PROXY: the address guard checks the host actually connected to.
            proxy: false,
            ...guardedAgents(deps.urlPolicy, endpoint.url),
            transformRequest: [(data: unknown) => data],
            responseType: 'text',
          });
          status = response.status;
          if (status < 200 || status >= 300) error = `HTTP ${status}`;
        } catch (e) {
          error = deadline.signal.aborted
            ? `ETIMEDOUT: no complete answer within ${deadlineMs} ms`
            : `${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}`;
        } finally {
          clearTimeout(timer);
        }
      }
    }
  }
  const delivered = error === null;
  const attempt = delivery.attempts + 1;
  const retry = deps.retry ?? spec.retry;
  const giveUp = !delivered && attempt >= retry.maxAttempts;
  const next = delivered || giveUp ? null : new Date(deps.clock().getTime() + backoffMs(retry, attempt, deps.random));
  await repos.webhooks.recordAttempt(delivery.id, { url, status, error, durationMs: Date.now() - started, delivered, nextAttemptAt: next, giveUp });
  if (next) {
    await deps.scheduler.scheduleDelivery(delivery.id, attempt, next.getTime() - deps.clock().getTime()).catch((e: unknown) => {
      deps.log.warn({ err: e, deliveryId }, 'could not schedule the next webhook try; the sweep will');
    });
  }
  const result = delivered ? 'delivered' : giveUp ? 'failed' : 'retrying';
  deps.onResult?.(result);
  if (!delivered) deps.log.info({ deliveryId, attempt, error, result }, 'webhook delivery did not succeed');
  return result;
}

export function deliverEventProcessor(deps: DeliverDeps) {
  return async (job: Job): Promise<string> => {
    const { deliveryId } = spec.payload.parse(job.data);
    return deliverEvent(deps, deliveryId);
  };
}
