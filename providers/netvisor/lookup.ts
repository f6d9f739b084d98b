import type { ResolvedInvoice } from '../../src/domain/resolved-invoice.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { ProviderInvoice } from '../types.js';
import { netvisorOk, type NetvisorContext, type NetvisorDeps } from './client.js';
import { readSalesInvoicePages } from './sales-invoice-pages.js';
import { parseSalesInvoice, type SalesInvoiceListEntry } from './xml/parse-response.js';

/** Reference numbers compared the way banks read them: no spaces, no leading zeros, any case. */
export function normaliseReferenceNumber(value: string | null | undefined): string {
  const compact = (value ?? '').replace(/\s+/g, '').toUpperCase();
  return /^\d+$/.test(compact) ? compact.replace(/^0+(?=\d)/, '') : compact;
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a private comment was written by ledgerlink for this very record and revision. */
function namesReference(comment: string | null | undefined, reference: string): boolean {
  return !!comment && new RegExp(`\\bledgerlink ${escapeRe(reference)}(?![A-Za-z0-9-])`).test(comment);
}

/** Whether a private comment was written by ledgerlink (for any record). */
const writtenByLedgerlink = (comment: string | null | undefined) => !!comment && /\bledgerlink LL-|\bledgerlink [A-Za-z0-9-]+ \(/.test(comment);

/**
 * Finds the Netvisor invoice an earlier attempt of this record may have
 * created. Netvisor has no idempotency key (a transaction id only guards
 * against replays), so the lookup relies on what we put on the invoice:
 *
 * 1. `salesinvoicelist.nv` with `begininvoicedate`/`endinvoicedate` around the
 *    invoice date ledgerlink itself set (one day either side, so an inclusive
 *    or exclusive reading of the bounds cannot miss it) and `replyoption=1`,
 *    which makes Netvisor return each invoice's private comment (paged on with
 *    `invoicesabovenetvisorkey` while answers come back full: see listAround);
 * 2. keep the invoices whose reference number is ours — the Finnish reference
 *    number is unique per invoice of a tenant, and Netvisor lists it;
 * 3. read the private comment with getsalesinvoice.nv where the list did not
 *    give it (an empty `<SalesInvoice />` there: deleted, dropped);
 * 4. drop any whose private comment names another ledgerlink record, and when
 *    several remain prefer the one whose comment names this record's
 *    `reference` (unique per record and revision).
 *
 * The invoice date rather than `hints.since` bounds the search: we wrote that
 * date, so it matches exactly, while Netvisor's "modified since" depends on
 * its clock and time zone. If several invoices still match, duplicates already
 * exist and a person must choose: the lookup fails, naming them.
 */
export async function findInvoiceByReference(ctx: NetvisorContext, invoice: ResolvedInvoice, deps: NetvisorDeps): Promise<ProviderInvoice | null> {
  const wanted = normaliseReferenceNumber(invoice.referenceNumber);
  let candidates = await withComments(
    ctx,
    (await listAround(ctx, invoice, deps)).filter((e) => normaliseReferenceNumber(e.referenceNumber) === wanted),
    deps,
  );
  const ours = candidates.filter((e) => namesReference(e.privateComment, invoice.reference));
  if (ours.length === 1) return toProviderInvoice(ours[0]!);
  if (ours.length > 1) {
    throw new ProviderValidationError({
      code: 'netvisor_lookup_ambiguous',
      details: ours.map((c) => ({ path: 'referenceNumber', message: `Netvisor invoice ${c.number ?? '?'} (NetvisorKey ${c.netvisorKey})` })),
      message: `Netvisor has ${ours.length} invoices made by ledgerlink for ${invoice.externalId} revision ${invoice.revision} (${ours
        .map((c) => `number ${c.number ?? '?'}, NetvisorKey ${c.netvisorKey}`)
        .join('; ')}). Remove the extra copies in Netvisor, then resync.`,
    });
  }
  // Only an invoice whose private comment names this record is ours. Another one with our
  // reference number (made by hand, or by another system) is never adopted: that would mark
  // this invoice synced while it does not exist. Nor is a second one with the same reference
  // number created while ledgerlink may already have sent ours: a person decides.
  const foreign = candidates.filter((e) => !writtenByLedgerlink(e.privateComment));
  if (foreign.length > 0) {
    throw new ProviderValidationError({
      code: 'netvisor_reference_in_use',
      details: foreign.map((c) => ({ path: 'referenceNumber', message: `Netvisor invoice ${c.number ?? '?'} (NetvisorKey ${c.netvisorKey}) has this reference number` })),
      message: `Netvisor has ${foreign.length === 1 ? 'an invoice' : `${foreign.length} invoices`} with reference number ${invoice.referenceNumber} that ledgerlink did not create (${foreign
        .map((c) => `number ${c.number ?? '?'}, NetvisorKey ${c.netvisorKey}`)
        .join('; ')}), and an earlier attempt to send ${invoice.externalId} may have reached Netvisor. ledgerlink neither adopts that invoice nor sends another with the same reference number. Check Netvisor: if ${invoice.externalId} is not there, remove or renumber the other invoice and resync, or post ${invoice.externalId} again as a new revision with another referenceNumber.`,
    });
  }
  return null;
}

const MAX_LIST_PAGES = 40;

/**
 * Every invoice dated within a day of ours. A lookup that saw only part of the
 * list must not conclude "not there" (that would create a second copy): when
 * Netvisor keeps answering full pages that do not advance, it fails as transient
 * and the record stays in doubt.
 */
async function listAround(ctx: NetvisorContext, invoice: ResolvedInvoice, deps: NetvisorDeps): Promise<SalesInvoiceListEntry[]> {
  const list = await readSalesInvoicePages(ctx, deps, {
    query: [
      ['begininvoicedate', shiftDate(invoice.invoiceDate, -1)],
      ['endinvoicedate', shiftDate(invoice.invoiceDate, 1)],
      ['replyoption', '1'],
    ],
    label: 'look the invoice up in Netvisor by its reference number',
    maxPages: MAX_LIST_PAGES,
  });
  if (list.complete) return list.entries;
  throw new ProviderTransientError({
    code: 'netvisor_lookup_incomplete',
    message: `Netvisor listed ${list.entries.length}+ invoices around ${invoice.invoiceDate} and ledgerlink could not read the whole list, so it cannot yet tell whether invoice ${invoice.externalId} is already there; it will not create it again until it can. ledgerlink will try again.`,
  });
}

/**
 * When the list did not carry private comments (replyoption not honoured),
 * reads each candidate with getsalesinvoice.nv. An empty `<SalesInvoice />`
 * means the invoice is gone (deleted since the list was read): dropped.
 */
async function withComments(ctx: NetvisorContext, entries: SalesInvoiceListEntry[], deps: NetvisorDeps): Promise<SalesInvoiceListEntry[]> {
  const out: SalesInvoiceListEntry[] = [];
  for (const entry of entries) {
    if (entry.privateComment !== undefined) {
      out.push(entry);
      continue;
    }
    const details = parseSalesInvoice(
      await netvisorOk(
        ctx,
        {
          method: 'GET',
          resource: 'getsalesinvoice.nv',
          query: [['netvisorkey', entry.netvisorKey], ['pdfimage', 'nopdf']],
          write: false,
          label: 'read a matching invoice from Netvisor',
        },
        deps,
      ),
    );
    if (details) out.push({ ...entry, privateComment: details.privateComment, number: entry.number ?? details.number });
  }
  return out;
}

function toProviderInvoice(entry: SalesInvoiceListEntry): ProviderInvoice {
  return { id: entry.netvisorKey, number: entry.number, state: entry.status?.toLowerCase() ?? null };
}
