import { describe, expect, it } from 'vitest';
import { netvisorProvider } from '../../../providers/netvisor/adapter.js';
import { netvisorSettingsSchema } from '../../../providers/netvisor/settings.js';

const valid = {
  baseUrl: 'https://integration.netvisor.fi/',
  sender: 'ledgerlink',
  customerId: 'API-USER-1',
  partnerId: 'PARTNER-1',
  customerKey: 'ck-secret-1',
  partnerKey: 'pk-secret-2',
  organisationId: '1234567-1',
};

const messages = (input: unknown) => {
  const result = netvisorSettingsSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('netvisor connection settings', () => {
  it('fills the defaults: FI, 14 days, UTF-8, create customers, 120 s, revisions refused when issued', () => {
    expect(netvisorSettingsSchema.parse(valid)).toEqual({
      ...valid,
      baseUrl: 'https://integration.netvisor.fi',
      language: 'FI',
      paymentTermDays: 14,
      encoding: 'utf-8',
      createCustomers: true,
      productGroup: 'ledgerlink',
      revisionPolicy: 'refuse',
      timeoutMs: 120_000,
    });
  });

  it('accepts lowercase languages and the Swedish "sv" as Netvisor\'s SE', () => {
    expect(netvisorSettingsSchema.parse({ ...valid, language: 'sv' }).language).toBe('SE');
    expect(netvisorSettingsSchema.parse({ ...valid, language: 'en' }).language).toBe('EN');
    expect(netvisorSettingsSchema.parse({ ...valid, language: 'SE' }).language).toBe('SE');
    expect(messages({ ...valid, language: 'de' })).toEqual(['language: must be "FI", "EN" or "SE" (or "fi", "en", "sv"), got "de"']);
  });

  it('checks the business ID\'s check digit and names the right one', () => {
    expect(messages({ ...valid, organisationId: '1234567-2' })).toEqual([
      'organisationId: has a wrong check digit: for 1234567 the check digit should be 1, not 2 (1234567-1); check the digits',
    ]);
    expect(messages({ ...valid, organisationId: 'FI12345671' })[0]).toMatch(/VAT number/);
    expect(netvisorSettingsSchema.parse({ ...valid, organisationId: '2345678-0' }).organisationId).toBe('2345678-0');
  });

  it('refuses unknown fields and missing credentials, naming them', () => {
    const { partnerKey: _omit, ...missing } = valid;
    expect(messages({ ...missing, password: 'x' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^partnerKey: is required/), expect.stringMatching(/password/)]),
    );
  });

  it('restricts VAT code overrides to the DTD\'s codes and the encoding to two charsets', () => {
    expect(netvisorSettingsSchema.parse({ ...valid, vatCodes: { eu_sale: 'EUPM309' } }).vatCodes).toEqual({ eu_sale: 'EUPM309' });
    expect(messages({ ...valid, vatCodes: { eu_sale: 'EU' } })[0]).toMatch(/^vatCodes.eu_sale: must be one of Netvisor's VAT codes/);
    expect(messages({ ...valid, vatCodes: { export: 'EUUM' } })[0]).toMatch(/export/);
    expect(netvisorSettingsSchema.parse({ ...valid, encoding: 'ISO-8859-15' }).encoding).toBe('iso-8859-15');
    expect(messages({ ...valid, encoding: 'latin1' })).toEqual(['encoding: must be "utf-8" or "iso-8859-15", got "latin1"']);
  });

  it('keeps header values to plain ASCII and the base URL to http(s)', () => {
    expect(messages({ ...valid, sender: 'Pöytä' })[0]).toMatch(/^sender: must use plain ASCII/);
    expect(messages({ ...valid, baseUrl: 'ftp://netvisor.fi' })[0]).toMatch(/^baseUrl: must start with https:\/\//);
  });

  it('the provider names its secrets', () => {
    expect(netvisorProvider.id).toBe('netvisor');
    expect(netvisorProvider.displayName).toBe('Netvisor');
    expect(netvisorProvider.secretFields).toEqual(['customerKey', 'partnerKey']);
  });
});
