import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Exchange } from '../../providers/http/outbound-http.js';

/** Prometheus metrics. One registry per process (tests build their own). */
export class Metrics {
  readonly registry = new Registry();
  readonly intake = new Counter({
    name: 'ledgerlink_invoices_received_total',
    help: 'Invoice documents posted, by result (accepted, duplicate, conflict, rejected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly syncOutcomes = new Counter({
    name: 'ledgerlink_sync_outcomes_total',
    help: 'Sync attempts by provider and the status they ended in.',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  });
  readonly syncDuration = new Histogram({
    name: 'ledgerlink_sync_duration_seconds',
    help: 'Time one sync attempt took, by provider.',
    labelNames: ['provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly providerRequests = new Histogram({
    name: 'ledgerlink_provider_request_duration_seconds',
    help: 'Provider HTTP requests by provider and HTTP status ("error" when no answer).',
    labelNames: ['provider', 'status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'ledgerlink_webhook_deliveries_total',
    help: 'Status event deliveries by result (delivered, retrying, failed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'ledgerlink_queue_depth',
    help: 'Jobs per queue and state.',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  readonly records = new Gauge({
    name: 'ledgerlink_sync_records',
    help: 'Sync records by provider and status (from the database).',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'ledgerlink_' });
  }

  /** The shape the sync engine reports through. */
  get sync() {
    return {
      syncOutcome: (provider: string, status: string) => this.syncOutcomes.inc({ provider, status }),
      syncDuration: (provider: string, seconds: number) => this.syncDuration.observe({ provider }, seconds),
      exchange: (provider: string, e: Exchange) =>
        this.providerRequests.observe({ provider, status: e.status === null ? 'error' : String(e.status) }, e.durationMs / 1000),
    };
  }
}
