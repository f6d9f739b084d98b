import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature is
 * `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the
 * base64-decoded part of the secret after "whsec_". Pure: the clock is passed in.
 */
export const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function isWebhookSecret(secret: string): boolean {
  return secretKey(secret) !== null;
}

function secretKey(secret: string): Buffer | null {
  if (!secret.startsWith(SECRET_PREFIX)) return null;
  const raw = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) return null;
  const key = Buffer.from(raw, 'base64');
  return key.length >= 16 ? key : null;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export type SignResult = { ok: true; headers: SignedHeaders } | { ok: false; reason: string };

export function sign(input: { secret: string; id: string; body: string; now: Date }): SignResult {
  const key = secretKey(input.secret);
  if (!key) return { ok: false, reason: 'the secret must be "whsec_" followed by at least 16 base64-encoded bytes' };
  if (!input.id || /[\s.]/.test(input.id)) return { ok: false, reason: 'the message id must be non-empty and contain no dots or spaces' };
  const timestamp = Math.floor(input.now.getTime() / 1000).toString();
  const mac = createHmac('sha256', key).update(`${input.id}.${timestamp}.${input.body}`).digest('base64');
  return { ok: true, headers: { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` } };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Verifies headers as a receiver would (tolerance ±5 minutes by default). */
export function verify(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  now: Date;
  toleranceSeconds?: number;
}): VerifyResult {
  const key = secretKey(input.secret);
  if (!key) return { ok: false, reason: 'invalid secret' };
  const header = (name: string) => {
    const v = input.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return { ok: false, reason: 'webhook-timestamp is not a number' };
  const tolerance = input.toleranceSeconds ?? 300;
  if (Math.abs(input.now.getTime() / 1000 - seconds) > tolerance) return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${input.body}`).digest();
  for (const part of signatures.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no matching signature' };
}
