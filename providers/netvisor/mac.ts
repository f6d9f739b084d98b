import { createHmac, randomUUID } from 'node:crypto';

/** What goes into one request's MAC, in Netvisor's order. */
export interface MacInput {
  /** The full request URL with its query string, exactly as sent. */
  url: string;
  sender: string;
  customerId: string;
  /** `YYYY-MM-DD HH:mm:ss.SSS`, UTC. */
  timestamp: string;
  language: string;
  organisationId: string;
  transactionId: string;
  /** Whole seconds since 1970-01-01 UTC, as text. */
  timestampUnix: string;
  customerKey: string;
  partnerKey: string;
}

/**
 * Netvisor's request MAC: lowercase hex HMAC-SHA256 keyed with
 * `customerKey&partnerKey` over URL, sender, customer id, timestamp, language,
 * organisation id, transaction id, unix timestamp, customer key and partner key
 * joined with `&`; every string is encoded as latin-1 before hashing
 * (support.netvisor.fi "API authentication"; ../shared/reference/NOTES.md).
 */
export function netvisorMac(input: MacInput): string {
  const message = [
    input.url,
    input.sender,
    input.customerId,
    input.timestamp,
    input.language,
    input.organisationId,
    input.transactionId,
    input.timestampUnix,
    input.customerKey,
    input.partnerKey,
  ].join('&');
  const key = `${input.customerKey}&${input.partnerKey}`;
  return createHmac('sha256', Buffer.from(key, 'latin1')).update(Buffer.from(message, 'latin1')).digest('hex');
}

/** `2026-11-30 10:15:30.123` in UTC, the form Netvisor's Timestamp header takes. */
export function netvisorTimestamp(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/** Whole seconds since the epoch, as Netvisor's TimestampUnix header takes it. */
export function netvisorTimestampUnix(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

/** A fresh transaction id: 32 hex characters, unique per request. */
export function randomTransactionId(): string {
  return randomUUID().replace(/-/g, '');
}

export interface AuthHeaderInput {
  url: string;
  at: Date;
  transactionId: string;
  credentials: {
    sender: string;
    customerId: string;
    partnerId: string;
    customerKey: string;
    partnerKey: string;
    organisationId: string;
    language: string;
  };
}

/** Every Netvisor header of one request, the MAC computed over exactly these values. */
export function netvisorAuthHeaders(input: AuthHeaderInput): Record<string, string> {
  const { credentials: c } = input;
  const timestamp = netvisorTimestamp(input.at);
  const timestampUnix = netvisorTimestampUnix(input.at);
  const mac = netvisorMac({
    url: input.url,
    sender: c.sender,
    customerId: c.customerId,
    timestamp,
    language: c.language,
    organisationId: c.organisationId,
    transactionId: input.transactionId,
    timestampUnix,
    customerKey: c.customerKey,
    partnerKey: c.partnerKey,
  });
  return {
    'X-Netvisor-Authentication-Sender': c.sender,
    'X-Netvisor-Authentication-CustomerId': c.customerId,
    'X-Netvisor-Authentication-PartnerId': c.partnerId,
    'X-Netvisor-Authentication-Timestamp': timestamp,
    'X-Netvisor-Authentication-TimestampUnix': timestampUnix,
    'X-Netvisor-Authentication-TransactionId': input.transactionId,
    'X-Netvisor-Interface-Language': c.language,
    'X-Netvisor-Organisation-ID': c.organisationId,
    'X-Netvisor-Authentication-MAC': mac,
    'X-Netvisor-Authentication-MACHashCalculationAlgorithm': 'HMACSHA256',
    'X-Netvisor-Authentication-UseHTTPResponseStatusCodes': '1',
  };
}
