import { describe, expect, it } from 'vitest';
import { procountorSettingsSchema } from '../../../providers/procountor/settings.js';

const valid = {
  baseUrl: 'https://pts-api.procountor.com/api/',
  clientId: 'our-client',
  clientSecret: 'client-secret-value',
  apiKey: 'api-key-value',
  bankAccount: 'fi21 1234 5600 0007 85',
};

function messages(input: unknown): string[] {
  const result = procountorSettingsSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('Procountor connection settings', () => {
  it('normalises what admins type and fills the documented defaults', () => {
    const settings = procountorSettingsSchema.parse(valid);
    expect(settings.baseUrl).toBe('https://pts-api.procountor.com/api');
    expect(settings.bankAccount).toBe('FI2112345600000785');
    expect(settings).toMatchObject({
      paymentTermDays: 14,
      afterCreate: 'none',
      createCustomers: true,
      requestsPerSecond: 10,
      timeoutMs: 30_000,
    });
    expect(settings.invoiceChannel).toBeUndefined();
  });

  it('refuses unknown fields, naming them', () => {
    expect(messages({ ...valid, username: 'x' }).join('\n')).toMatch(/username/);
  });

  it('refuses a bank account whose IBAN check digits are wrong, saying so', () => {
    expect(messages({ ...valid, bankAccount: 'FI21 1234 5600 0007 86' }).join('\n')).toMatch(/bankAccount: .*check digits/);
  });

  it('refuses an IBAN of the wrong length for its country', () => {
    expect(messages({ ...valid, bankAccount: 'FI21123456000007' }).join('\n')).toMatch(/18 characters/);
  });

  it('explains a missing API key in terms an admin can act on', () => {
    const { apiKey: _omitted, ...withoutKey } = valid;
    expect(messages(withoutKey).join('\n')).toMatch(/apiKey: is required: .*API client keys/);
  });

  it('keeps the request rate within what Procountor tolerates', () => {
    expect(messages({ ...valid, requestsPerSecond: 50 }).join('\n')).toMatch(/requestsPerSecond: must be at most 20/);
    expect(procountorSettingsSchema.parse({ ...valid, requestsPerSecond: 20 }).requestsPerSecond).toBe(20);
  });

  it('accepts only the channels, languages and after-create steps Procountor offers', () => {
    expect(messages({ ...valid, invoiceChannel: 'FAX' }).join('\n')).toMatch(/invoiceChannel: must be one of EMAIL, ELECTRONIC_INVOICE, MAIL, NO_SENDING/);
    expect(messages({ ...valid, language: 'de' }).join('\n')).toMatch(/language: must be "fi", "sv" or "en"/);
    expect(messages({ ...valid, afterCreate: 'send' }).join('\n')).toMatch(/afterCreate: must be one of none, approve, approve_and_send/);
    expect(procountorSettingsSchema.parse({ ...valid, invoiceChannel: 'NO_SENDING', language: 'sv', afterCreate: 'approve_and_send' })).toMatchObject({
      invoiceChannel: 'NO_SENDING',
      language: 'sv',
      afterCreate: 'approve_and_send',
    });
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(messages({ ...valid, baseUrl: 'ftp://procountor.example' }).join('\n')).toMatch(/baseUrl: must start with https/);
  });

  it('takes VAT status numbers per treatment and refuses unknown treatments', () => {
    expect(procountorSettingsSchema.parse({ ...valid, vatStatuses: { 'eu_sale.services': 6 } }).vatStatuses).toEqual({ 'eu_sale.services': 6 });
    expect(messages({ ...valid, vatStatuses: { 'exempt.goods': 4 } }).join('\n')).toMatch(/exempt\.goods/);
    expect(messages({ ...valid, vatStatuses: { 'eu_sale.services': 6.5 } }).join('\n')).toMatch(/whole number/);
  });
});
