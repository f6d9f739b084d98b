import { ProviderError } from '../errors/provider-error.js';
import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import type { ProviderInvoice } from '../types.js';
import { netvisorOk, type NetvisorContext, type NetvisorDeps } from './client.js';
import { withDefaults } from './settings.js';
import { serializeXml } from './xml/serialize.js';

/**
 * Matches a credit note to the invoice it credits (`matchcreditnote.nv`,
 * `<root><matchcreditnote><creditnotenetvisorkey/><invoicenetvisorkey/>`), so
 * Netvisor offsets the two instead of leaving both open. Runs as the credit
 * note's finalize step; a repeat after a crash asks again. When Netvisor
 * refuses the match (already matched, another customer), the credit note
 * stays synced and the record carries a warning that says so — the credit
 * note itself is in the books either way.
 */
export async function matchCreditNote(ctx: NetvisorContext, invoice: ResolvedInvoice, existing: ProviderInvoice, deps: NetvisorDeps): Promise<ProviderInvoice> {
  const credited = invoice.credited?.providerInvoiceId;
  if (invoice.type !== 'credit_note' || !credited) return existing;
  const body = serializeXml({ root: { matchcreditnote: { creditnotenetvisorkey: existing.id, invoicenetvisorkey: credited } } }, withDefaults(ctx.settings).encoding);
  try {
    await netvisorOk(ctx, { method: 'POST', resource: 'matchcreditnote.nv', body, write: true, label: 'match the credit note to the invoice it credits' }, deps);
    ctx.log.info({ creditNote: existing.id, invoice: credited }, 'Netvisor credit note matched');
  } catch (error) {
    if (!(error instanceof ProviderError) || error.category !== 'validation') throw error;
    ctx.warn({
      code: 'credit_note_not_matched',
      path: 'creditedExternalId',
      message: `Netvisor did not match the credit note to invoice ${invoice.credited?.providerInvoiceNumber ?? credited} (${error.message}); match them in Netvisor by hand.`,
    });
  }
  return existing;
}
