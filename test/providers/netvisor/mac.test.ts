import { describe, expect, it } from 'vitest';
import { netvisorAuthHeaders, netvisorMac, netvisorTimestamp, netvisorTimestampUnix, randomTransactionId } from '../../../providers/netvisor/mac.js';

const at = new Date('2026-11-30T10:15:30.123Z');

describe('Netvisor MAC', () => {
  it('matches a value computed independently with openssl', () => {
    // printf '%s' 'https://integration.netvisor.fi/customerlist.nv?keyword=1234567-1&ledgerlink&LL-CUSTOMER-1&2026-11-30 10:15:30.123&FI&1234567-1&0f1e2d3c4b5a69788796a5b4c3d2e1f0&1796033730&customer-key-1&partner-key-2' \
    //   | openssl dgst -sha256 -hmac 'customer-key-1&partner-key-2'
    const headers = netvisorAuthHeaders({
      url: 'https://integration.netvisor.fi/customerlist.nv?keyword=1234567-1',
      at,
      transactionId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      credentials: {
        sender: 'ledgerlink',
        customerId: 'LL-CUSTOMER-1',
        partnerId: 'LL-PARTNER-1',
        customerKey: 'customer-key-1',
        partnerKey: 'partner-key-2',
        organisationId: '1234567-1',
        language: 'FI',
      },
    });
    expect(headers['X-Netvisor-Authentication-MAC']).toBe('0c3c358c484fb6540937bfa715f13f9e92b309aa091b9a136869340855647457');
    expect(headers).toEqual(
      expect.objectContaining({
        'X-Netvisor-Authentication-Sender': 'ledgerlink',
        'X-Netvisor-Authentication-CustomerId': 'LL-CUSTOMER-1',
        'X-Netvisor-Authentication-PartnerId': 'LL-PARTNER-1',
        'X-Netvisor-Authentication-Timestamp': '2026-11-30 10:15:30.123',
        'X-Netvisor-Authentication-TimestampUnix': '1796033730',
        'X-Netvisor-Authentication-TransactionId': '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        'X-Netvisor-Interface-Language': 'FI',
        'X-Netvisor-Organisation-ID': '1234567-1',
        'X-Netvisor-Authentication-MACHashCalculationAlgorithm': 'HMACSHA256',
        'X-Netvisor-Authentication-UseHTTPResponseStatusCodes': '1',
      }),
    );
    expect(JSON.stringify(headers)).not.toContain('customer-key-1');
    expect(JSON.stringify(headers)).not.toContain('partner-key-2');
  });

  it('encodes the strings as latin-1 before hashing (differs from UTF-8 when there are umlauts)', () => {
    // Computed with Python:
    //   hmac.new('customer-key-Ä1&partner-key-2'.encode('latin-1'), '&'.join([...]).encode('latin-1'), hashlib.sha256).hexdigest()
    // the UTF-8 encoding of the same strings gives 004b92b6f3abc4f9d6ee5aa7078a1e8cac21ac3a559872a86e05aeadd8c83e69.
    const mac = netvisorMac({
      url: 'https://integration.netvisor.fi/salesinvoicelist.nv?begininvoicedate=2026-11-29&endinvoicedate=2026-12-01',
      sender: 'ledgerlink Pöytä',
      customerId: 'LL-CUSTOMER-1',
      timestamp: '2026-11-30 10:15:30.123',
      language: 'FI',
      organisationId: '1234567-1',
      transactionId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      timestampUnix: '1796033730',
      customerKey: 'customer-key-Ä1',
      partnerKey: 'partner-key-2',
    });
    expect(mac).toBe('8404fd584561e8b05749a669748e7a7e5c3d2d2377eddf3f2645f459679e4090');
  });

  it('covers the URL exactly as sent: another query string, another MAC', () => {
    const base = {
      sender: 's',
      customerId: 'c',
      timestamp: netvisorTimestamp(at),
      language: 'FI',
      organisationId: '1234567-1',
      transactionId: 't',
      timestampUnix: netvisorTimestampUnix(at),
      customerKey: 'ck',
      partnerKey: 'pk',
    };
    expect(netvisorMac({ ...base, url: 'https://x/getproduct.nv?code=A' })).not.toBe(netvisorMac({ ...base, url: 'https://x/getproduct.nv?code=B' }));
  });

  it('writes UTC timestamps in both forms from the same instant', () => {
    const winter = new Date('2026-01-05T23:59:59.007Z');
    expect(netvisorTimestamp(winter)).toBe('2026-01-05 23:59:59.007');
    expect(netvisorTimestampUnix(winter)).toBe('1767657599');
  });

  it('makes a new transaction id every time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomTransactionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
