import type { AddressInfo } from 'node:net';
import type { RunningSandbox, SandboxOptions } from '../../types.js';
import { API_PREFIX, buildProcountorSandboxApp } from './app.js';
import type { SandboxCompany } from './rules.js';
import { SandboxState, type SandboxProduct } from './state.js';

export interface ProcountorSandboxOptions extends SandboxOptions {
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
  /** Requests per second per API client before 429 (default 20, Procountor's documented limit). */
  requestsPerSecond?: number;
  tokenTtlSeconds?: number;
  /** The company's bank account (IBAN) handed out in `credentials`. */
  bankAccount?: string;
  vatPercentages?: number[];
  vatStatuses?: SandboxCompany['vatStatuses'];
  /** Invoice dates before this are in closed fiscal periods (default 2020-01-01). */
  closedBefore?: string;
  products?: SandboxProduct[];
  clock?: () => Date;
}

/** Port `npm run sandbox` serves Procountor on. */
export const PROCOUNTOR_SANDBOX_PORT = 4011;

/** A valid Finnish IBAN (the standard example account). */
const SANDBOX_IBAN = 'FI2112345600000785';

const DEFAULT_PRODUCTS: SandboxProduct[] = [
  { id: 101, type: 'SALES', name: 'Consulting', code: 'CONSULT', unit: 'HOUR', price: 120, vat: 25.5, active: true, currency: 'EUR' },
  { id: 102, type: 'SALES', name: 'Senior consulting', code: 'CONSULT-SENIOR', unit: 'HOUR', price: 150, vat: 25.5, active: true, currency: 'EUR' },
  { id: 103, type: 'SALES', name: 'Travel', code: 'KM', unit: 'KILOMETER', price: 0.59, vat: 25.5, active: true, currency: 'EUR' },
  { id: 104, type: 'SALES', name: 'Support hours', code: 'WORK', unit: 'HOUR', price: 100, vat: 25.5, active: true, currency: 'EUR' },
];

/**
 * Starts the Procountor sandbox (tests pass `port: 0`). The base URL for a
 * connection is `url`; `credentials` are settings it accepts, without baseUrl.
 * The same controls are served over HTTP for the demo: POST/DELETE
 * /_sandbox/faults, GET /_sandbox/invoices, GET /_sandbox/requests,
 * GET /_sandbox/credentials, POST /_sandbox/reset. Faults without `times` last until cleared; faults
 * other than latency hit API calls, not the token endpoint.
 */
export async function startProcountorSandbox(options: ProcountorSandboxOptions = {}): Promise<RunningSandbox> {
  const bankAccount = options.bankAccount ?? SANDBOX_IBAN;
  const state = new SandboxState({
    clientId: options.clientId ?? 'ledgerlink-sandbox-client',
    clientSecret: options.clientSecret ?? 'sandbox-client-secret-3d1f',
    apiKey: options.apiKey ?? 'sandbox-api-key-9b27',
    requestsPerSecond: options.requestsPerSecond ?? 20,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    company: {
      currency: 'EUR',
      vatPercentages: options.vatPercentages ?? [25.5, 14, 13.5, 10, 0],
      vatStatuses: options.vatStatuses ?? [
        { vatStatus: 1, description: 'Domestic' },
        { vatStatus: 3, description: 'Outside of the EU' },
        { vatStatus: 5, description: 'EU community sales (product)' },
        { vatStatus: 12, description: 'No VAT handling' },
      ],
      bankAccounts: [bankAccount],
      closedBefore: options.closedBefore ?? '2020-01-01',
    },
    products: options.products ?? DEFAULT_PRODUCTS,
    clock: options.clock ?? (() => new Date()),
  });
  const { clientId, clientSecret, apiKey } = state.config;
  const credentials = { clientId, clientSecret, apiKey, bankAccount };
  const { app, release } = buildProcountorSandboxApp(state, () => ({ ...credentials }));
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? PROCOUNTOR_SANDBOX_PORT, host });
  const { port } = app.server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | null = null;

  return {
    provider: 'procountor',
    url: `http://${shownHost}:${port}${API_PREFIX}`,
    credentials: { ...credentials },
    injectFault: (fault) => state.injectFault(fault),
    clearFaults: () => state.clearFaults(),
    invoices: () => state.sandboxInvoices(),
    sendInvoice(id) {
      if (!state.invoices.has(Number(id))) throw new Error(`the Procountor sandbox has no invoice ${id}`);
      state.setInvoiceStatus(Number(id), 'SENT');
    },
    registerPayment: (id, payment) => state.registerPayment(Number(id), payment),
    deleteInvoice: (id) => state.deleteInvoice(Number(id)),
    invalidateInvoice(id) {
      if (!state.invoices.has(Number(id))) throw new Error(`the Procountor sandbox has no invoice ${id}`);
      state.setInvoiceStatus(Number(id), 'INVALIDATED');
    },
    editInvoiceTotal: (id, total) => state.editInvoiceTotal(Number(id), total),
    requests: () => state.log.map((r) => ({ ...r })),
    reset: () => state.reset(),
    close() {
      // Held responses (timeout_after_store, latency) are let go first so close never waits for them.
      closed ??= (async () => {
        release();
        await app.close();
      })();
      return closed;
    },
  };
}
