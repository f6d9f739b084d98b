import { describe, expect, it } from 'vitest';
import type { ProviderError } from '../../../providers/errors/provider-error.js';
import { ProviderValidationError } from '../../../providers/errors/validation-error.js';
import { netvisorProvider } from '../../../providers/netvisor/adapter.js';
import { startNetvisorSandbox } from '../../../providers/netvisor/sandbox/netvisor-sandbox.js';
import type { ResolvedInvoice } from '../../../src/domain/resolved-invoice.js';
import { exampleResolvedInvoice } from '../../support/example-invoice.js';
import { MemoryLinkBook } from '../../support/provider-context.js';
import { useSandbox } from '../../support/sandbox-fixture.js';
import { finnishReference, sandboxContext, sandboxSettings } from './support.js';

/**
 * Issue 9 item 10 against the sandbox, answering in the other shapes real
 * Netvisor answers take (`answerStyle`): getcustomer.nv without NetvisorKey,
 * customer lists without OrganisationIdentifier, answers in ISO-8859-15 on a
 * UTF-8 connection, a UTF-8 byte-order mark before the declaration.
 */
const fixture = useSandbox(() => startNetvisorSandbox({ port: 0 }), 'netvisor-shapes-sandbox');
let seq = 0;

function record(customer: Partial<ResolvedInvoice['customer']> = {}): ResolvedInvoice {
  seq += 1;
  const id = `01JSHAPES${String(seq).padStart(17, '0')}`;
  const base = exampleResolvedInvoice({ id, reference: `LL-${id}`, referenceNumber: finnishReference(3000 + seq) });
  return { ...base, customer: { ...base.customer, ...customer } };
}

const context = (links = new MemoryLinkBook(), extra: Record<string, unknown> = {}) =>
  sandboxContext(fixture.redis, fixture.prefix, sandboxSettings(fixture.sandbox, extra), { links });

describe('Netvisor answers in other shapes, from the sandbox', () => {
  it("never matches a customer, by code, to another company's Netvisor customer when getcustomer.nv leaves out NetvisorKey", async () => {
    // Another company already has customer code 1017 in Netvisor.
    await netvisorProvider.prepare(context(), record({ externalId: 'other-company', name: 'Toinen Yhtiö Oy', businessId: '7654321-2', customerNumber: '1017' }));
    expect(fixture.sandbox.customers().map((c) => [c.code, c.businessId])).toEqual([['1017', '7654321-2']]);

    fixture.sandbox.setAnswerStyle({ listOrganisationIdentifier: 'omit', customerKey: 'omit' });
    const links = new MemoryLinkBook();
    const error = await netvisorProvider.prepare(context(links), record()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderValidationError);
    expect((error as ProviderError).code).toBe('netvisor_customer_code_conflict');
    expect(links.saved.filter((s) => s.kind === 'customer')).toEqual([]);
    expect(fixture.sandbox.requests().map((r) => r.path.split('?')[0])).toContain('/getcustomer.nv');
  });

  it('matches the same company through those answers', async () => {
    await netvisorProvider.prepare(context(), record());
    fixture.sandbox.setAnswerStyle({ listOrganisationIdentifier: 'omit', customerKey: 'omit' });
    const links = new MemoryLinkBook();
    await netvisorProvider.prepare(context(links), record());
    expect(links.saved.filter((s) => s.kind === 'customer')).toEqual([expect.objectContaining({ kind: 'customer', key: 'cust-17' })]);
    expect(fixture.sandbox.customers()).toHaveLength(1);
  });

  it.each([
    ['ISO-8859-15 answers on a UTF-8 connection, Content-Type without a charset', { encoding: 'iso-8859-15', contentTypeCharset: 'none' }, 'utf-8'],
    ['a UTF-8 byte-order mark and a Content-Type naming ISO-8859-15', { byteOrderMark: true, contentTypeCharset: 'iso-8859-15' }, 'iso-8859-15'],
    ['a UTF-8 byte-order mark on a UTF-8 connection', { byteOrderMark: true }, 'utf-8'],
  ] as const)('reads %s by what they declare', async (_what, style, connectionEncoding) => {
    const customer = { name: 'Äijä € Oy' };
    await netvisorProvider.prepare(context(new MemoryLinkBook(), { encoding: connectionEncoding }), record(customer));
    fixture.sandbox.setAnswerStyle(style);
    const ctx = context(new MemoryLinkBook(), { encoding: connectionEncoding });
    const resolution = await netvisorProvider.resolveCustomer(ctx, record(customer), { dryRun: true });
    expect(resolution.action).toBe('matched');
    const list = ctx.exchanges.find((e) => e.url.includes('customerlist.nv'));
    expect(list?.responseBody).toContain('Äijä € Oy');
  });
});
