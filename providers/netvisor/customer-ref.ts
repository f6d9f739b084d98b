/**
 * How an invoice names its Netvisor customer. ledgerlink links customers by
 * their Netvisor customer code (what admins see and type into
 * `PUT /v1/customer-links/…`); a matched Netvisor customer without a code is
 * linked by its NetvisorKey instead, stored as "netvisor:<key>".
 */
export type NetvisorCustomerRef = { type: 'customer'; code: string } | { type: 'netvisor'; key: string };

const KEY_PREFIX = 'netvisor:';

export function customerRefFromLink(link: string): NetvisorCustomerRef {
  if (link.startsWith(KEY_PREFIX) && /^\d+$/.test(link.slice(KEY_PREFIX.length))) {
    return { type: 'netvisor', key: link.slice(KEY_PREFIX.length) };
  }
  return { type: 'customer', code: link };
}

export function customerRefToLink(ref: NetvisorCustomerRef): string {
  return ref.type === 'customer' ? ref.code : `${KEY_PREFIX}${ref.key}`;
}
