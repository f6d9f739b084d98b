import { describe, expect, it } from 'vitest';
import { ProviderAuthError } from '../../../providers/errors/auth-error.js';
import { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderRateLimitError } from '../../../providers/errors/rate-limit-error.js';
import { ProviderTransientError } from '../../../providers/errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../../../providers/errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { createNetvisorProvider, netvisorProvider } from '../../../providers/netvisor/adapter.js';
import { startNetvisorSandbox } from '../../../providers/netvisor/sandbox/netvisor-sandbox.js';
import type { NetvisorSettings } from '../../../providers/netvisor/settings.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { exampleResolvedInvoice, type ExampleLine } from '../../support/example-invoice.js';
import { MemoryLinkBook, type TestContext } from '../../support/provider-context.js';
import { useSandbox } from '../../support/sandbox-fixture.js';
import { finnishReference, sandboxContext, sandboxSettings } from './support.js';

const fixture = useSandbox(() => startNetvisorSandbox({ port: 0 }), 'netvisor-adapter');
let seq = 0;

function ctxFor(settings: NetvisorSettings = sandboxSettings(fixture.sandbox), links = new MemoryLinkBook()): TestContext<NetvisorSettings> {
  return sandboxContext(fixture.redis, fixture.prefix, settings, { links });
}

/** A fresh record of the example invoice (ticket #1296): own id, reference and reference number. */
function record(overrides: Partial<ResolvedInvoice> & { lineSpecs?: ExampleLine[] } = {}): ResolvedInvoice {
  seq += 1;
  const id = `01JNETVISOR${String(seq).padStart(15, '0')}`;
  return exampleResolvedInvoice({ id, reference: `LL-${id}`, referenceNumber: finnishReference(2000 + seq), ...overrides });
}

async function sync(ctx: TestContext<NetvisorSettings>, invoice: ResolvedInvoice, provider = netvisorProvider) {
  const prepared = await provider.prepare(ctx, invoice);
  const request = provider.buildCreateRequest(ctx, invoice, prepared);
  return provider.create(ctx, request, invoice);
}

describe('netvisor adapter against the sandbox', () => {
  it('adds the example invoice once, with its lines and sums, and keeps the NetvisorKey and invoice number', async () => {
    const ctx = ctxFor();
    const invoice = record();
    const created = await sync(ctx, invoice);

    const stored = fixture.sandbox.storedInvoices();
    expect(stored).toHaveLength(1);
    const [inv] = stored;
    expect(created).toEqual({ id: String(inv!.netvisorKey), number: inv!.number, state: 'unsent' });
    expect(inv!.amount).toBe('1506.00');
    expect(inv!.linesTotal).toEqual({ net: '1200.00', vat: '306.00', gross: '1506.00' });
    expect(inv!.referenceNumber).toBe(invoice.referenceNumber);
    expect(inv!.date).toBe('2026-11-30');
    expect(inv!.paymentTermNetDays).toBe(14);
    expect(inv!.status).toBe('unsent');
    expect(inv!.lines).toEqual([
      expect.objectContaining({
        productCode: 'WORK',
        quantity: '12',
        unitPrice: '100.00',
        unitPriceType: 'net',
        vatPercent: '25.5',
        vatCode: 'KOMY',
        freeText: '#1296 Integration of BIM tools',
        net: '1200.00',
        vat: '306.00',
        gross: '1506.00',
      }),
    ]);
    expect(inv!.customerCode).toBe('1017');
    expect(inv!.ourReference).toBe('INV-2026-0042');
    expect(inv!.privateComment).toContain(invoice.reference);
  });

  it('creates the customer once and reuses it: linked next time, matched by business ID when the link is lost', async () => {
    const links = new MemoryLinkBook();
    const ctx = ctxFor(sandboxSettings(fixture.sandbox), links);
    await sync(ctx, record());
    expect(fixture.sandbox.customers()).toEqual([
      expect.objectContaining({ code: '1017', businessId: '1234567-1', name: 'Esimerkki Oy', city: 'Helsinki', postNumber: '00100' }),
    ]);
    expect(links.saved).toEqual([
      { kind: 'customer', key: 'cust-17', id: '1017', how: 'created' },
      { kind: 'product', key: 'WORK', id: String(fixture.sandbox.products()[0]!.netvisorKey) },
    ]);

    await sync(ctx, record());
    // A second tenant setup (or a wiped link table) finds the same customer and product instead of adding them.
    const fresh = new MemoryLinkBook();
    const other = ctxFor(sandboxSettings(fixture.sandbox), fresh);
    expect(await netvisorProvider.resolveCustomer(other, record(), { dryRun: true })).toEqual({ action: 'matched', providerCustomerId: '1017' });
    expect(fresh.saved).toEqual([]);
    await sync(other, record());
    expect(fresh.saved.map((s) => [s.kind, s.how])).toEqual([
      ['customer', 'matched'],
      ['product', undefined],
    ]);
    expect(fixture.sandbox.customers()).toHaveLength(1);
    expect(fixture.sandbox.products()).toHaveLength(1);
    expect(fixture.sandbox.storedInvoices()).toHaveLength(3);
    expect(new Set(fixture.sandbox.storedInvoices().map((i) => i.customerCode))).toEqual(new Set(['1017']));
  });

  it('a dry run says "create" and changes nothing', async () => {
    const links = new MemoryLinkBook();
    const ctx = ctxFor(sandboxSettings(fixture.sandbox), links);
    expect(await netvisorProvider.resolveCustomer(ctx, record(), { dryRun: true })).toEqual({ action: 'create' });
    expect(fixture.sandbox.customers()).toEqual([]);
    expect(links.saved).toEqual([]);
    expect(fixture.sandbox.requests().every((r) => r.method === 'GET')).toBe(true);
  });

  it('without createCustomers, fails saying how to link the customer, and adds nothing', async () => {
    const ctx = ctxFor(sandboxSettings(fixture.sandbox, { createCustomers: false }));
    const error = await sync(ctx, record()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('customer_not_linked');
    expect((error as ProviderError).message).toContain('PUT /v1/customer-links/cust-17');
    expect(fixture.sandbox.customers()).toEqual([]);
    expect(fixture.sandbox.storedInvoices()).toEqual([]);
  });

  it('never takes a different company that happens to have the same customer code', async () => {
    const ctx = ctxFor();
    const base = record();
    await sync(ctx, record({ customer: { ...base.customer, externalId: 'other-17', name: 'Toinen Oy', businessId: '7654321-2' } }));
    const error = await sync(ctx, record()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_customer_code_conflict');
    expect((error as ProviderError).message).toMatch(/code 1017.*7654321-2.*1234567-1/);
    expect(fixture.sandbox.customers()).toHaveLength(1);
    expect(fixture.sandbox.storedInvoices()).toHaveLength(1);
  });

  it('names products by their Netvisor code, adding a mapped product Netvisor lacks', async () => {
    const ctx = ctxFor();
    const invoice = record({
      lineSpecs: [
        {
          description: 'Support',
          quantity: '2',
          unitPrice: '80.00',
          product: { code: 'SUPPORT', name: 'Support hour', unit: 'h', providerProducts: { netvisor: { code: 'NV-SUP' } } },
        },
        { kind: 'goods', description: 'Cable', quantity: '3', unit: 'pcs', unitPrice: '9.90', product: { code: 'CABLE', name: 'Cable', unit: 'pcs' } },
      ],
    });
    await sync(ctx, invoice);
    expect(fixture.sandbox.products().map((p) => [p.code, p.name, p.unitPrice, p.unit, p.defaultVatPercentage])).toEqual([
      ['NV-SUP', 'Support hour', '80.00', 'h', '25.5'],
      ['CABLE', 'Cable', '9.90', 'pcs', '25.5'],
    ]);
    const [inv] = fixture.sandbox.storedInvoices();
    expect(inv!.lines.map((l) => [l.productCode, l.quantity, l.gross])).toEqual([
      ['NV-SUP', '2', '200.80'],
      ['CABLE', '3', '37.27'],
    ]);
    expect(inv!.amount).toBe(invoice.totals.gross);
    expect(inv!.linesTotal.gross).toBe(invoice.totals.gross);
  });

  it('sends a credit note with negative quantities and a negative total, naming the credited invoice', async () => {
    const ctx = ctxFor();
    const original = record();
    const created = await sync(ctx, original);
    const credit = record({
      externalId: 'CN-2026-0042',
      type: 'credit_note',
      credited: { externalId: original.externalId, providerInvoiceId: created.id, providerInvoiceNumber: created.number ?? null },
      lineSpecs: [{ description: '#1296 Integration of BIM tools', quantity: '-12', unitPrice: '100.00' }],
    });
    await sync(ctx, credit);
    const stored = fixture.sandbox.storedInvoices()[1]!;
    expect(stored.amount).toBe('-1506.00');
    expect(stored.lines[0]).toEqual(expect.objectContaining({ quantity: '-12', net: '-1200.00', vat: '-306.00', gross: '-1506.00' }));
    expect(stored.freeTextBefore).toBe(`Hyvityslasku laskulle ${created.number}`);
    expect(stored.xml).toContain('<salesinvoiceamount iso4217currencycode="EUR">-1506,00</salesinvoiceamount>');
  });

  it('carries special characters through as the customer wrote them', async () => {
    const ctx = ctxFor();
    const base = record();
    const invoice = record({
      customer: { ...base.customer, name: 'Äijä & <Pojat> Oy', address: { ...base.customer.address, street: 'Ääkkösgatan 5 "B"' } },
      notes: 'Kiitos! 5 € alennus <ensi kerralla> & muuta',
    });
    await sync(ctx, invoice);
    expect(fixture.sandbox.customers()[0]!.name).toBe('Äijä & <Pojat> Oy');
    const stored = fixture.sandbox.storedInvoices()[0]!;
    expect(stored.customerName).toBe('Äijä & <Pojat> Oy');
    expect(stored.freeTextAfter).toBe('Kiitos! 5 € alennus <ensi kerralla> & muuta');
    expect(stored.xml).toContain('&lt;Pojat&gt;');
    expect(ctx.warnings).toEqual([]);
  });

  it('signs query strings with characters HTTP clients re-encode (the MAC covers the URL as sent)', async () => {
    const ctx = ctxFor();
    const base = record();
    const invoice = record({ customer: { ...base.customer, externalId: 'c-99', customerNumber: "O'Brien (Oy)* ä", businessId: null } });
    await sync(ctx, invoice);
    expect(fixture.sandbox.customers().map((c) => c.code)).toEqual(["O'Brien (Oy)* ä"]);
    expect(ctx.exchanges[0]!.url).toContain('keyword=O%27Brien%20%28Oy%29%2A%20%C3%A4');
    expect(fixture.sandbox.storedInvoices()[0]!.customerCode).toBe("O'Brien (Oy)* ä");
  });

  it('sends ISO-8859-15 when the connection asks, replacing what the charset lacks and saying so', async () => {
    const ctx = ctxFor(sandboxSettings(fixture.sandbox, { encoding: 'iso-8859-15' }));
    const base = record();
    const invoice = record({ customer: { ...base.customer, name: 'Őrség Kft – €uro' } });
    await sync(ctx, invoice);
    expect(fixture.sandbox.customers()[0]!.name).toBe('Orség Kft - €uro');
    expect(fixture.sandbox.storedInvoices()[0]!.xml).toMatch(/^<\?xml version="1.0" encoding="ISO-8859-15"\?>/);
    expect(ctx.warnings).toContainEqual(expect.objectContaining({ code: 'text_cleaned', path: 'customer.name' }));
  });

  it('records every exchange with the MAC and keys hidden', async () => {
    const settings = sandboxSettings(fixture.sandbox);
    const ctx = ctxFor(settings);
    await sync(ctx, record());
    expect(ctx.exchanges.map((e) => e.label)).toEqual([
      'look the customer up in Netvisor',
      'look the customer up in Netvisor',
      'add the customer "Esimerkki Oy" to Netvisor',
      'look the product WORK up in Netvisor',
      'add the product WORK to Netvisor',
      'create the invoice in Netvisor',
      'read the new invoice number from Netvisor',
    ]);
    const text = JSON.stringify(ctx.exchanges);
    expect(text).not.toContain(settings.customerKey);
    expect(text).not.toContain(settings.partnerKey);
    for (const e of ctx.exchanges) expect(e.requestHeaders['X-Netvisor-Authentication-MAC']).toBe('[redacted]');
  });
});

describe('exactly once', () => {
  it('a timeout after Netvisor stored the invoice ends with exactly one invoice, found by our reference number', async () => {
    const ctx = ctxFor();
    const invoice = record();
    const since = new Date();
    const prepared = await netvisorProvider.prepare(ctx, invoice);
    const request = netvisorProvider.buildCreateRequest(ctx, invoice, prepared);
    fixture.sandbox.injectFault({ kind: 'timeout_after_store', ms: 20_000, times: 1 });
    const error = await netvisorProvider.create(ctx, request, invoice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    expect(fixture.sandbox.invoices()).toHaveLength(1);

    // What the engine does next: look up before anything else, and adopt what is there.
    const found = await netvisorProvider.findByReference(ctx, invoice, { since });
    const [stored] = fixture.sandbox.storedInvoices();
    expect(found).toEqual({ id: String(stored!.netvisorKey), number: stored!.number, state: 'unsent' });
    expect(fixture.sandbox.invoices()).toHaveLength(1);
  });

  it('a connection dropped after storing is an unknown outcome too, and the lookup adopts the invoice', async () => {
    const ctx = ctxFor();
    const invoice = record();
    fixture.sandbox.injectFault({ kind: 'reset_after_store', times: 1 });
    const error = await sync(ctx, invoice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnknownOutcomeError);
    const found = await netvisorProvider.findByReference(ctx, invoice, { since: new Date() });
    expect(found?.id).toBe(String(fixture.sandbox.storedInvoices()[0]!.netvisorKey));
  });

  it('finds nothing for an invoice that was never sent, even with others of the same date and customer', async () => {
    const ctx = ctxFor();
    await sync(ctx, record());
    await sync(ctx, record());
    expect(await netvisorProvider.findByReference(ctx, record(), { since: new Date() })).toBeNull();
  });

  it('does not adopt the invoice of another record or revision that carries the same reference number', async () => {
    const ctx = ctxFor();
    const first = record();
    await sync(ctx, first);
    const revision2 = { ...first, id: '01JNETVISORREVISION0000002', reference: 'LL-01JNETVISORREVISION0000002', revision: 2 };
    expect(await netvisorProvider.findByReference(ctx, revision2, { since: new Date() })).toBeNull();
    expect((await netvisorProvider.findByReference(ctx, first, { since: new Date() }))?.id).toBe(String(fixture.sandbox.storedInvoices()[0]!.netvisorKey));
  });

  it('an engine-like loop (create; on doubt look up, adopt or create) never leaves two invoices', async () => {
    const ctx = ctxFor();
    const invoice = record();
    fixture.sandbox.injectFault({ kind: 'timeout_after_store', ms: 20_000, times: 1 });
    let adopted: { id: string } | null = null;
    for (let attempt = 0; attempt < 3 && !adopted; attempt += 1) {
      if (attempt > 0) {
        adopted = await netvisorProvider.findByReference(ctx, invoice, { since: new Date() });
        if (adopted) break;
      }
      try {
        adopted = await sync(ctx, invoice);
      } catch (error) {
        if (!(error instanceof ProviderUnknownOutcomeError)) throw error;
      }
    }
    expect(adopted?.id).toBe(String(fixture.sandbox.storedInvoices()[0]!.netvisorKey));
    expect(fixture.sandbox.invoices()).toHaveLength(1);
  });
});

describe('errors', () => {
  it('AUTHENTICATION_FAILED is an auth error naming the connection and quoting Netvisor', async () => {
    const ctx = ctxFor(sandboxSettings(fixture.sandbox, { partnerKey: 'not-the-partner-key' }));
    const error = await netvisorProvider.verifyConnection(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect((error as ProviderError).code).toBe('netvisor_auth');
    expect((error as ProviderError).message).toContain('the Netvisor connection of tenant acme');
    expect((error as ProviderError).message).toContain('MAC does not match');
    await expect(netvisorProvider.verifyConnection(ctxFor())).resolves.toBeUndefined();
  });

  it('INVALID_DATA fails the sync with Netvisor\'s message', async () => {
    const ctx = ctxFor();
    const invoice = record();
    const prepared = await netvisorProvider.prepare(ctx, invoice);
    // A product Netvisor does not have: Netvisor refuses the invoice.
    const unknown = { ...invoice, lines: invoice.lines.map((l) => ({ ...l, product: { ...l.product, code: 'NOPE' } })) };
    const request = netvisorProvider.buildCreateRequest(ctx, unknown, prepared);
    const error = await netvisorProvider.create(ctx, request, unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_invalid_data');
    expect((error as ProviderError).message).toContain('product not found with code NOPE');
    expect(fixture.sandbox.storedInvoices()).toEqual([]);
  });

  it('PERIOD_LOCK says the accounting period is locked and what to do', async () => {
    const ctx = ctxFor();
    fixture.sandbox.lockPeriodBefore('2026-12-01');
    const error = await sync(ctx, record()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_period_lock');
    expect((error as ProviderError).message).toMatch(/accounting period of 2026-11-30 is locked in Netvisor/);
    expect((error as ProviderError).message).toMatch(/open the period/);
  });

  it('SYSTEM_MAINTENANCE is retried later', async () => {
    fixture.sandbox.injectFault({ kind: 'maintenance', times: 1 });
    const error = await netvisorProvider.verifyConnection(ctxFor()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderTransientError);
    expect((error as ProviderError).code).toBe('netvisor_maintenance');
    expect((error as ProviderError).retryAfterMs).toBe(10 * 60_000);
  });

  it('REQUEST_NOT_UNIQUE is sent again with a new transaction id', async () => {
    const ids = ['same-id', 'same-id', 'fresh-1', 'fresh-2'];
    const provider = createNetvisorProvider({ transactionId: () => ids.shift() ?? `later-${Math.random()}` });
    const ctx = ctxFor();
    await provider.verifyConnection(ctx);
    await provider.verifyConnection(ctx);
    const txIds = ctx.exchanges.map((e) => e.requestHeaders['X-Netvisor-Authentication-TransactionId']);
    expect(txIds).toEqual(['same-id', 'same-id', 'fresh-1']);
    expect(ctx.exchanges.map((e) => e.status)).toEqual([200, 400, 200]);
  });

  it('a rate-limit answer is a rate-limit error with Netvisor\'s wait', async () => {
    fixture.sandbox.injectFault({ kind: 'rate_limit', retryAfterSeconds: 7, times: 1 });
    const error = await netvisorProvider.verifyConnection(ctxFor()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderError).retryAfterMs).toBe(7000);
  });

  it('a server error on a read is retried; on the invoice add it is an unknown outcome', async () => {
    fixture.sandbox.injectFault({ kind: 'server_error', status: 502, on: 'any', times: 1 });
    const read = await netvisorProvider.verifyConnection(ctxFor()).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(ProviderTransientError);
    fixture.sandbox.injectFault({ kind: 'server_error', status: 500, on: 'create', times: 1 });
    const write = await sync(ctxFor(), record()).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(ProviderUnknownOutcomeError);
  });
});
