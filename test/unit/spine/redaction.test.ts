import { Writable } from 'node:stream';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { excerpt, redactHeaders, redactText, REDACTED } from '../../../providers/http/redact.js';
import { ProviderTransientError } from '../../../providers/errors/index.js';

describe('redaction of stored provider exchanges', () => {
  it('hides secret headers and keeps the rest', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer abc',
        'X-Netvisor-Authentication-MAC': 'deadbeef',
        'webhook-signature': 'v1,xyz',
        'x-api-key': 'k',
        'content-type': 'application/json',
        'idempotency-key': 'LL-01J',
        skipped: undefined,
      }),
    ).toEqual({
      authorization: REDACTED,
      'X-Netvisor-Authentication-MAC': REDACTED,
      'webhook-signature': REDACTED,
      'x-api-key': REDACTED,
      'content-type': 'application/json',
      'idempotency-key': 'LL-01J',
    });
  });

  it('hides secrets by name in JSON, forms, query strings and XML', () => {
    expect(redactText('{"clientId":"ledgerlink","clientSecret":"s3cr3t","apiKey":"k-123"}')).toBe(`{"clientId":"ledgerlink","clientSecret":"${REDACTED}","apiKey":"${REDACTED}"}`);
    expect(redactText('{"password": "pa\\"ss-rest", "user": "maija"}')).toBe(`{"password": "${REDACTED}", "user": "maija"}`);
    expect(redactText('grant_type=client_credentials&client_secret=s3cr3t&api_key=k')).toBe(`grant_type=client_credentials&client_secret=${REDACTED}&api_key=${REDACTED}`);
    expect(redactText('https://x.example/token?access_token=abc&page=2')).toBe(`https://x.example/token?access_token=${REDACTED}&page=2`);
    expect(redactText('<root><CustomerKey>abc123</CustomerKey><Name>Esimerkki Oy</Name><ns:Password a="1">hunter2</ns:Password></root>')).toBe(
      `<root><CustomerKey>${REDACTED}</CustomerKey><Name>Esimerkki Oy</Name><ns:Password a="1">${REDACTED}</ns:Password></root>`,
    );
  });

  it("hides the connection's own secret values wherever they appear", () => {
    const secret = 'whsec_c3VwZXItc2VjcmV0LXNpZ25pbmcta2V5';
    expect(redactText(`signed with ${secret} in text`, [secret])).toBe(`signed with ${REDACTED} in text`);
    // Values too short to be a secret are not masked (they would blank out ordinary text).
    expect(redactText('id 42 of 420', ['42'])).toBe('id 42 of 420');
  });

  it('keeps excerpts bounded and says how much was cut', () => {
    expect(excerpt(undefined)).toBeNull();
    expect(excerpt('')).toBeNull();
    expect(excerpt({ clientSecret: 'x' })).toBe(`{"clientSecret":"${REDACTED}"}`);
    expect(excerpt(Buffer.from('<Password>p</Password>'))).toBe(`<Password>${REDACTED}</Password>`);
    const long = excerpt('a'.repeat(5000), [], 100)!;
    expect(long.startsWith('a'.repeat(100))).toBe(true);
    expect(long).toContain('(4900 more characters)');
  });
});

describe('log redaction', () => {
  const capture = () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    return { log: createLogger({ level: 'info', destination: destination as never }), text: () => lines.join('') };
  };

  it('never writes credentials, tokens or authorization headers', () => {
    const { log, text } = capture();
    log.info({ clientSecret: 'SECRET-1', authorization: 'Bearer SECRET-2', apiKey: 'SECRET-3', tenant: 'acme' }, 'top level');
    log.info({ settings: { clientSecret: 'SECRET-4', customerKey: 'SECRET-5', partnerKey: 'SECRET-6' } }, 'nested');
    log.info({ req: { headers: { authorization: 'Bearer SECRET-7', 'x-request-id': 'req_1' } } }, 'request');
    log.info({ headers: { Authorization: 'Bearer SECRET-8' } }, 'capitalised header');
    log.info({ connection: { settings: { apiKey: 'SECRET-9' } }, masterKey: 'SECRET-10', adminToken: 'SECRET-11' }, 'deeper');
    const out = text();
    expect(out).not.toMatch(/SECRET-\d+/);
    expect(out).toContain('"tenant":"acme"');
    expect(out).toContain('"x-request-id":"req_1"');
    expect(out).toContain('[redacted]');
  });

  it('logs HTTP client errors without the request they carried', async () => {
    const { log, text } = capture();
    const error = await axios
      .post('http://127.0.0.1:1/token', 'client_secret=SECRET-20', { headers: { Authorization: 'Bearer SECRET-21' }, timeout: 2000 })
      .catch((e: unknown) => e);
    log.error({ err: error }, 'raw client error');
    log.error({ err: new ProviderTransientError({ code: 'provider_unreachable', message: 'could not be reached', cause: error }) }, 'wrapped');
    const out = text();
    expect(out).not.toMatch(/SECRET-2\d/);
    expect(out).toContain('ECONNREFUSED');
    expect(out).toContain('could not be reached');
  });
});
