import { timingSafeEqual } from 'node:crypto';
import { netvisorMac } from '../mac.js';

/** The credentials one sandbox accepts (a partner's and one API user's). */
export interface SandboxCredentials {
  sender: string;
  customerId: string;
  partnerId: string;
  customerKey: string;
  partnerKey: string;
  organisationId: string;
  language: 'FI' | 'EN' | 'SE';
}

export type AuthResult = { ok: true; transactionId: string; organisationId: string } | { ok: false; reason: string };

const REQUIRED = [
  'x-netvisor-authentication-sender',
  'x-netvisor-authentication-customerid',
  'x-netvisor-authentication-partnerid',
  'x-netvisor-authentication-timestamp',
  'x-netvisor-authentication-timestampunix',
  'x-netvisor-authentication-transactionid',
  'x-netvisor-authentication-mac',
  'x-netvisor-authentication-machashcalculationalgorithm',
  'x-netvisor-interface-language',
  'x-netvisor-organisation-id',
] as const;

const header = (headers: Record<string, unknown>, name: string): string | null => {
  const v = headers[name];
  if (Array.isArray(v)) return v.length === 1 ? String(v[0]) : null;
  return typeof v === 'string' ? v : null;
};

/**
 * Checks a request's Netvisor headers the way Netvisor does: every header
 * present, HMACSHA256 named, both timestamps well-formed and the same instant,
 * known partner, API user and organisation, and the MAC recomputed over the URL
 * exactly as received. The reason is for the AUTHENTICATION_FAILED message.
 */
export function checkNetvisorAuth(
  headers: Record<string, unknown>,
  fullUrl: string,
  credentials: SandboxCredentials,
  organisations: ReadonlySet<string>,
): AuthResult {
  for (const name of REQUIRED) {
    if (!header(headers, name)) return { ok: false, reason: `header ${name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())} is missing` };
  }
  const h = (name: (typeof REQUIRED)[number]) => header(headers, name)!;
  if (h('x-netvisor-authentication-machashcalculationalgorithm') !== 'HMACSHA256') {
    return { ok: false, reason: 'MACHashCalculationAlgorithm must be HMACSHA256' };
  }
  const language = h('x-netvisor-interface-language');
  if (!['FI', 'EN', 'SE'].includes(language)) return { ok: false, reason: `Interface-Language must be FI, EN or SE, not ${language}` };
  const timestamp = h('x-netvisor-authentication-timestamp');
  const unix = h('x-netvisor-authentication-timestampunix');
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(timestamp)) return { ok: false, reason: 'Timestamp must be written YYYY-MM-DD HH:mm:ss.SSS (UTC)' };
  if (!/^\d+$/.test(unix)) return { ok: false, reason: 'TimestampUnix must be whole seconds since 1970-01-01' };
  const instant = Date.parse(`${timestamp.replace(' ', 'T')}Z`);
  if (!Number.isFinite(instant) || Math.abs(Math.floor(instant / 1000) - Number(unix)) > 1) {
    return { ok: false, reason: 'Timestamp and TimestampUnix are not the same UTC instant' };
  }
  if (h('x-netvisor-authentication-partnerid') !== credentials.partnerId) return { ok: false, reason: 'Integraatiokumppania ei löydy (unknown partner id)' };
  if (h('x-netvisor-authentication-customerid') !== credentials.customerId) return { ok: false, reason: 'Käyttäjää ei löydy (unknown API user id)' };
  const organisationId = h('x-netvisor-organisation-id');
  if (!organisations.has(organisationId)) return { ok: false, reason: `the API user has no access to organisation ${organisationId}` };
  const transactionId = h('x-netvisor-authentication-transactionid');
  const expected = netvisorMac({
    url: fullUrl,
    sender: h('x-netvisor-authentication-sender'),
    customerId: credentials.customerId,
    timestamp,
    language,
    organisationId,
    transactionId,
    timestampUnix: unix,
    customerKey: credentials.customerKey,
    partnerKey: credentials.partnerKey,
  });
  const given = h('x-netvisor-authentication-mac').toLowerCase();
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return { ok: false, reason: `MAC does not match the request (computed over ${fullUrl})` };
  }
  return { ok: true, transactionId, organisationId };
}
