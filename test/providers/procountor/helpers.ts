import type { Redis } from 'ioredis';
import { procountorProvider } from '../../../providers/procountor/adapter.js';
import { procountorSettingsSchema, type ProcountorSettings, type ProcountorSettingsInput } from '../../../providers/procountor/settings.js';
import type { RunningSandbox } from '../../../providers/types.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { exampleResolvedInvoice, type ExampleLine } from '../../support/example-invoice.js';
import { MemoryLinkBook, testProviderContext, type TestContext } from '../../support/provider-context.js';

/** Connection settings for a running Procountor sandbox, parsed as the API would. */
export function sandboxSettings(sandbox: RunningSandbox, overrides: Partial<ProcountorSettingsInput> = {}): ProcountorSettings {
  return procountorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, ...overrides });
}

export function procountorContext(options: {
  settings: ProcountorSettings;
  redis: Redis;
  prefix: string;
  links?: MemoryLinkBook;
  timeoutMs?: number;
}): TestContext<ProcountorSettings> {
  return testProviderContext({
    settings: options.settings,
    redis: options.redis,
    redisPrefix: options.prefix,
    providerName: 'Procountor',
    timeoutMs: options.timeoutMs ?? 5000,
    links: options.links,
    secretValues: [options.settings.clientSecret, options.settings.apiKey],
  });
}

/** prepare → buildCreateRequest → create, as the sync engine calls them. */
export async function syncOnce(ctx: TestContext<ProcountorSettings>, invoice: ResolvedInvoice) {
  const prepared = await procountorProvider.prepare(ctx, invoice);
  const request = procountorProvider.buildCreateRequest(ctx, invoice, prepared);
  const created = await procountorProvider.create(ctx, request, invoice);
  return { prepared, request, created };
}

/** Finnish reference number with its 7-3-1 check digit. */
export function finnishRef(base: number): string {
  const digits = String(base).split('').reverse();
  const weights = [7, 3, 1];
  const total = digits.reduce((acc, d, i) => acc + Number(d) * weights[i % 3]!, 0);
  return `${base}${(10 - (total % 10)) % 10}`;
}

let counter = 0;
/** A record id and reference no other test uses. */
export function uniqueIds(): { id: string; reference: string } {
  counter += 1;
  const id = `01JPCTR${Date.now().toString(36).toUpperCase()}${String(counter).padStart(5, '0')}`;
  return { id, reference: `LL-${id}` };
}

/** The example invoice as a fresh record: its own id, reference and (valid) reference number. */
export function example(overrides: Partial<ResolvedInvoice> & { lineSpecs?: ExampleLine[] } = {}): ResolvedInvoice {
  const ids = uniqueIds();
  return exampleResolvedInvoice({ ...ids, referenceNumber: finnishRef(1000 + counter), ...overrides });
}
