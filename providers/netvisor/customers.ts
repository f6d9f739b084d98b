import { createHash } from 'node:crypto';
import type { InvoiceCustomer } from '../../src/domain/invoice-document.js';
import { ProviderError } from '../errors/provider-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { CustomerResolution } from '../types.js';
import { callNetvisor, expectOk, netvisorOk, netvisorRequest, type NetvisorContext, type NetvisorDeps } from './client.js';
import { customerRefFromLink, customerRefToLink, type NetvisorCustomerRef } from './customer-ref.js';
import { withDefaults } from './settings.js';
import { NETVISOR_LIMITS } from './text.js';
import { buildCustomerXml } from './xml/build-customer.js';
import { insertedIdentifier, parseCustomer, parseCustomerList, type CustomerListEntry } from './xml/parse-response.js';

/**
 * The Netvisor customer code ledgerlink gives a customer it creates: the
 * host's customer number when it has one, else the host's own customer id when
 * it fits Netvisor's code (≤ 50 plain characters), else a stable code derived
 * from it. Stable, so a retried creation finds the customer it made.
 */
export function customerCodeFor(customer: Pick<InvoiceCustomer, 'customerNumber' | 'externalId'>): string {
  const number = customer.customerNumber?.trim();
  if (number && number.length <= NETVISOR_LIMITS.customerCode) return number;
  const id = customer.externalId.trim();
  if (/^[A-Za-z0-9_.\-]{1,50}$/.test(id)) return id;
  return `LL${createHash('sha256').update(id).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** Business IDs compared without spaces, dashes or case ("1234567-1" = "12345671"). */
const sameId = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.replace(/[^0-9A-Za-z]/g, '').toUpperCase() === b.replace(/[^0-9A-Za-z]/g, '').toUpperCase();

const sameCode = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.trim().toUpperCase() === b.trim().toUpperCase();

const refOf = (entry: CustomerListEntry): NetvisorCustomerRef => (entry.code ? { type: 'customer', code: entry.code } : { type: 'netvisor', key: entry.netvisorKey });

function linkHint(customer: InvoiceCustomer): string {
  return `PUT /v1/customer-links/${encodeURIComponent(customer.externalId)} {"provider":"netvisor","providerCustomerId":"<Netvisor customer code>"}`;
}

async function customerList(ctx: NetvisorContext, keyword: string, deps: NetvisorDeps): Promise<CustomerListEntry[]> {
  const response = await netvisorOk(ctx, { method: 'GET', resource: 'customerlist.nv', query: [['keyword', keyword]], write: false, label: 'look the customer up in Netvisor' }, deps);
  return parseCustomerList(response);
}

/**
 * The business ID Netvisor holds for a customer, read with getcustomer.nv when
 * the list did not say: a string, null when Netvisor holds none, undefined
 * when its answer does not tell (no customer in it, or no business ID field).
 */
async function businessIdOf(ctx: NetvisorContext, entry: CustomerListEntry, deps: NetvisorDeps): Promise<string | null | undefined> {
  if (entry.organisationIdentifier !== undefined) return entry.organisationIdentifier;
  const response = await netvisorOk(ctx, { method: 'GET', resource: 'getcustomer.nv', query: [['id', entry.netvisorKey]], write: false, label: 'read the customer from Netvisor' }, deps);
  return parseCustomer(response)?.businessId;
}

/**
 * Finds the invoice's customer in Netvisor, without changing anything: first
 * by business ID (customerlist.nv?keyword=, exact match on the organisation
 * identifier), then by the customer code ledgerlink would use. A customer
 * found by code whose business ID differs is someone else: that is an error a
 * person must settle by linking, never a silent match.
 */
export async function findNetvisorCustomer(ctx: NetvisorContext, customer: InvoiceCustomer, deps: NetvisorDeps): Promise<NetvisorCustomerRef | null> {
  const code = customerCodeFor(customer);
  const organisation = customer.businessId ?? customer.vatNumber ?? null;
  if (organisation) {
    const matches = (await customerList(ctx, organisation, deps)).filter((c) => sameId(c.organisationIdentifier, organisation));
    if (matches.length === 1) return refOf(matches[0]!);
    if (matches.length > 1) {
      const byCode = matches.filter((c) => sameCode(c.code, code));
      if (byCode.length === 1) return refOf(byCode[0]!);
      throw new ProviderValidationError({
        code: 'netvisor_customer_ambiguous',
        details: [{ path: 'customer.businessId', message: `matches ${matches.length} Netvisor customers` }],
        message: `Netvisor has ${matches.length} customers with business ID ${organisation} (codes ${matches.map((m) => m.code ?? `#${m.netvisorKey}`).join(', ')}), so ledgerlink cannot tell which one "${customer.name}" is. Link the right one with ${linkHint(customer)}.`,
      });
    }
  }
  const byCode = (await customerList(ctx, code, deps)).filter((c) => sameCode(c.code, code));
  if (byCode.length === 0) return null;
  const found = byCode[0]!;
  if (organisation) {
    const theirs = await businessIdOf(ctx, found, deps);
    if (!theirs) {
      // Only the code matches, and nothing says the company is the same: never a match on a missing field.
      const why = theirs === null ? 'has no business ID in Netvisor' : "could not be read back from Netvisor with its business ID";
      throw new ProviderValidationError({
        code: 'netvisor_customer_unconfirmed',
        details: [{ path: 'customer.businessId', message: `Netvisor customer ${code} ${why}, so it cannot be confirmed to be ${organisation}` }],
        message: `Netvisor has a customer with code ${code} ("${found.name ?? ''}"), but it ${why}, so ledgerlink cannot confirm it is "${customer.name}" (business ID ${organisation}). If it is, add the business ID in Netvisor or link it with ${linkHint(customer)}; if not, give the customer another customer number.`,
      });
    }
    if (!sameId(theirs, organisation)) {
      throw new ProviderValidationError({
        code: 'netvisor_customer_code_conflict',
        details: [{ path: 'customer.customerNumber', message: `Netvisor customer ${code} has business ID ${theirs}` }],
        message: `Netvisor already has a customer with code ${code} ("${found.name ?? ''}", business ID ${theirs}), but "${customer.name}" has business ID ${organisation}. Link the right Netvisor customer with ${linkHint(customer)}, or give the customer another customer number.`,
      });
    }
  }
  return refOf(found);
}

/**
 * How the invoice's customer maps to Netvisor: a saved link is used as is;
 * otherwise the customer is looked up (and the link saved, unless dry run);
 * otherwise it will be created — or, when the connection does not allow
 * creating customers, the sync fails saying how to link one.
 */
export async function resolveNetvisorCustomer(
  ctx: NetvisorContext,
  customer: InvoiceCustomer,
  deps: NetvisorDeps,
  options: { dryRun: boolean },
): Promise<CustomerResolution & { ref?: NetvisorCustomerRef }> {
  const linked = await ctx.links.customer(customer.externalId);
  if (linked) return { action: 'linked', providerCustomerId: linked, ref: customerRefFromLink(linked) };
  const found = await findNetvisorCustomer(ctx, customer, deps);
  if (found) {
    const link = customerRefToLink(found);
    if (!options.dryRun) await ctx.links.saveCustomer(customer.externalId, link, 'matched');
    return { action: 'matched', providerCustomerId: link, ref: found };
  }
  if (!withDefaults(ctx.settings).createCustomers) {
    throw new ProviderValidationError({
      code: 'customer_not_linked',
      details: [{ path: 'customer.externalId', message: 'is not linked to a Netvisor customer and none matches its business ID or code' }],
      message: `Customer "${customer.name}" (${customer.externalId}) is not in Netvisor under its business ID or code ${customerCodeFor(customer)}, and ${ctx.connection.label} does not allow ledgerlink to create customers. Link it to its Netvisor customer with ${linkHint(customer)}, or allow createCustomers.`,
    });
  }
  return { action: 'create' };
}

/** Adds the customer to Netvisor (customer.nv?method=add) and saves the link. */
export async function createNetvisorCustomer(ctx: NetvisorContext, customer: InvoiceCustomer, deps: NetvisorDeps): Promise<NetvisorCustomerRef> {
  const s = withDefaults(ctx.settings);
  const code = customerCodeFor(customer);
  const request = netvisorRequest(s, {
    method: 'POST',
    resource: 'customer.nv',
    query: [['method', 'add']],
    body: buildCustomerXml({ customer, code, encoding: s.encoding, warn: (w) => ctx.warn(w) }),
    write: true,
    label: `add the customer "${customer.name}" to Netvisor`,
  });
  let answer;
  try {
    answer = await callNetvisor(ctx, request, deps);
  } catch (error) {
    // The customer may have been added; the next try finds it by its code, so this is only a retry.
    if (error instanceof ProviderError && error.category === 'unknown_outcome') {
      throw new ProviderTransientError({
        code: 'netvisor_customer_unknown',
        message: `${error.message} The next try looks the customer up by its code ${code} before adding it.`,
        cause: error,
      });
    }
    throw error;
  }
  if (!answer.parsed.status.ok && answer.parsed.status.code === 'DUPLICATE_DATA') {
    // Someone (another worker, a person) added it meanwhile: use that one.
    const found = await findNetvisorCustomer(ctx, customer, deps);
    if (found) {
      await ctx.links.saveCustomer(customer.externalId, customerRefToLink(found), 'matched');
      return found;
    }
  }
  const response = expectOk(ctx, request, answer);
  const key = insertedIdentifier(response);
  ctx.log.info({ customer: customer.externalId, code, netvisorKey: key }, 'added the customer to Netvisor');
  const ref: NetvisorCustomerRef = { type: 'customer', code };
  await ctx.links.saveCustomer(customer.externalId, customerRefToLink(ref), 'created');
  return ref;
}
