import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, isWebhookSecret, sign, verify } from '../../../src/events/signing.js';

/**
 * The vector published with the Standard Webhooks reference library
 * (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts,
 * "sign function works"). Checked independently with
 *   printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}' |
 *   openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 200) -binary | base64
 */
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('matches the published test vector', () => {
    const signed = sign({ secret: vector.secret, id: vector.id, body: vector.body, now: new Date(vector.timestamp * 1000) });
    expect(signed).toEqual({
      ok: true,
      headers: { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature },
    });
  });

  it('uses whole Unix seconds for the timestamp', () => {
    const signed = sign({ secret: vector.secret, id: vector.id, body: vector.body, now: new Date(vector.timestamp * 1000 + 999) });
    expect(signed.ok && signed.headers['webhook-signature']).toBe(vector.signature);
  });

  it('verifies as a receiver would: the vector, several signatures, and nothing altered', () => {
    const headers = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature };
    const now = new Date(vector.timestamp * 1000 + 60_000);
    expect(verify({ secret: vector.secret, headers, body: vector.body, now })).toEqual({ ok: true });
    const several = { ...headers, 'webhook-signature': `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${vector.signature}` };
    expect(verify({ secret: vector.secret, headers: several, body: vector.body, now }).ok).toBe(true);

    expect(verify({ secret: vector.secret, headers, body: '{"test": 2432232315}', now }).ok).toBe(false);
    expect(verify({ secret: vector.secret, headers: { ...headers, 'webhook-id': 'msg_other' }, body: vector.body, now }).ok).toBe(false);
    expect(verify({ secret: 'whsec_' + Buffer.from('another-secret-key-32-bytes-long').toString('base64'), headers, body: vector.body, now }).ok).toBe(false);
    expect(verify({ secret: vector.secret, headers: { ...headers, 'webhook-signature': vector.signature.slice(0, 8) }, body: vector.body, now }).ok).toBe(false);
    expect(verify({ secret: vector.secret, headers: { ...headers, 'webhook-signature': 'v1,' }, body: vector.body, now }).ok).toBe(false);
  });

  it('refuses timestamps more than five minutes away, either way', () => {
    const headers = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature };
    const at = (offsetSeconds: number) => new Date((vector.timestamp + offsetSeconds) * 1000);
    expect(verify({ secret: vector.secret, headers, body: vector.body, now: at(301) })).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
    expect(verify({ secret: vector.secret, headers, body: vector.body, now: at(-301) }).ok).toBe(false);
    expect(verify({ secret: vector.secret, headers, body: vector.body, now: at(299) }).ok).toBe(true);
    expect(verify({ secret: vector.secret, headers: { ...headers, 'webhook-timestamp': 'hello' }, body: vector.body, now: at(0) }).ok).toBe(false);
    expect(verify({ secret: vector.secret, headers: { 'webhook-id': vector.id }, body: vector.body, now: at(0) }).ok).toBe(false);
  });

  it('refuses secrets and ids that would sign something a receiver cannot check', () => {
    expect(sign({ secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_1', body: '', now: new Date() }).ok).toBe(false);
    expect(sign({ secret: 'whsec_c2hvcnQ=', id: 'msg_1', body: '', now: new Date() }).ok).toBe(false);
    expect(sign({ secret: 'whsec_not base64!', id: 'msg_1', body: '', now: new Date() }).ok).toBe(false);
    expect(sign({ secret: vector.secret, id: 'msg.1', body: '', now: new Date() }).ok).toBe(false);
    expect(sign({ secret: vector.secret, id: '', body: '', now: new Date() }).ok).toBe(false);
  });

  it('generates secrets of 32 random bytes in the whsec_ form', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(isWebhookSecret(a)).toBe(true);
    expect(isWebhookSecret(vector.secret)).toBe(true);
  });
});
