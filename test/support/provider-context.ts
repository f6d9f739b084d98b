import pino from 'pino';
import type { Redis } from 'ioredis';
import { createOutboundHttp, type Exchange } from '../../providers/http/outbound-http.js';
import type { BaseConnectionSettings, LinkBook, ProviderContext, SyncWarning } from '../../providers/types.js';

/** An in-memory LinkBook that also counts what was asked and saved. */
export class MemoryLinkBook implements LinkBook {
  customers = new Map<string, string>();
  products = new Map<string, string>();
  saved: Array<{ kind: 'customer' | 'product'; key: string; id: string; how?: string }> = [];

  async customer(id: string) {
    return this.customers.get(id) ?? null;
  }
  async saveCustomer(id: string, providerId: string, how: 'matched' | 'created') {
    this.customers.set(id, providerId);
    this.saved.push({ kind: 'customer', key: id, id: providerId, how });
  }
  async product(code: string) {
    return this.products.get(code) ?? null;
  }
  async saveProduct(code: string, providerId: string) {
    this.products.set(code, providerId);
    this.saved.push({ kind: 'product', key: code, id: providerId });
  }
}

export interface TestContext<S extends BaseConnectionSettings> extends ProviderContext<S> {
  exchanges: Exchange[];
  warnings: SyncWarning[];
  links: MemoryLinkBook;
}

/** A ProviderContext for adapter tests: real Redis (fresh prefix), private URLs allowed, silent log. */
export function testProviderContext<S extends BaseConnectionSettings>(options: {
  settings: S;
  redis: Redis;
  redisPrefix: string;
  providerName: string;
  timeoutMs?: number;
  clock?: () => Date;
  links?: MemoryLinkBook;
  secretValues?: string[];
}): TestContext<S> {
  const exchanges: Exchange[] = [];
  const warnings: SyncWarning[] = [];
  const clock = options.clock ?? (() => new Date());
  return {
    settings: options.settings,
    connection: { id: 'conn-test', tenantId: 'acme', label: `the ${options.providerName} connection of tenant acme` },
    http: createOutboundHttp({
      providerName: options.providerName,
      urlPolicy: { allowPrivateUrls: true },
      timeoutMs: options.timeoutMs ?? 5000,
      secretValues: options.secretValues ?? [],
      record: (e) => exchanges.push(e),
      now: clock,
    }),
    redis: options.redis,
    redisPrefix: options.redisPrefix,
    links: options.links ?? new MemoryLinkBook(),
    clock,
    log: pino({ level: 'silent' }),
    warn: (w) => warnings.push(w),
    exchanges,
    warnings,
  };
}
