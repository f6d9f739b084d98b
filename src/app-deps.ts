import type { RedisClient } from './queue/redis-client.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Billing } from './billing/billing.js';
import type { UrlPolicy } from './http/url-guard.js';
import type { Metrics } from './ops/metrics.js';
import type { Scheduler } from './queue/scheduler.js';
import type { SecretBox } from './store/secret-box.js';
import type { Store } from './store/store.js';
import type { InvoiceService } from './sync/invoice-service.js';
import type { Reconciliation } from './sync/reconciliation.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { AuthDeps } from './http/auth.js';

/** Everything the HTTP app needs, injected (tests build their own). */
export interface AppDeps {
  store: Store;
  scheduler: Scheduler;
  /** Queue depth for /metrics, when the queues are local. */
  queueDepth?: () => Promise<Array<{ queue: string; state: string; count: number }>>;
  redis: RedisClient;
  redisPrefix: string;
  registry: ProviderRegistry;
  secretBox: SecretBox;
  invoices: InvoiceService;
  billing: Billing;
  metrics: Metrics;
  adminToken: string;
  /** How callers are recognised: the operator token, and API keys (looked up through the cache). */
  auth: AuthDeps;
  urlPolicy: UrlPolicy;
  clock: () => Date;
  log: Logger;
  docs: { schema(schema: z.ZodType): Record<string, unknown> };
  /** Reconciliation (issue 14); absent, its routes are not served. */
  reconciliation?: Reconciliation;
}

/** JSON Schema of a zod schema, for the OpenAPI document (zod still does the validating). */
export function docSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
