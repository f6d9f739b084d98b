import { describe, expect, it } from 'vitest';
import { checkOutboundUrl, isPrivateAddress, parseOutboundUrl } from '../../../src/http/url-guard.js';

const strict = { allowPrivateUrls: false };

describe('checkOutboundUrl refuses addresses inside the network (SSRF)', () => {
  it.each([
    'http://127.0.0.1:4010/invoices',
    'http://127.8.9.10/',
    'http://localhost:8080/',
    'http://api.localhost/',
    'http://10.0.0.5/',
    'http://10.255.255.255/',
    'http://172.16.3.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    // Other spellings of loopback that URL parsing turns into 127.0.0.1.
    'http://127.1/',
    'http://0x7f000001/',
    'http://2130706433/',
  ])('%s is refused', async (url) => {
    const check = await checkOutboundUrl(url, strict);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/private address.*ALLOW_PRIVATE_URLS=true/);
  });

  it('lets public addresses through', async () => {
    for (const url of ['https://93.184.216.34/api', 'http://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'http://172.32.0.1/', 'http://11.0.0.1/']) {
      expect((await checkOutboundUrl(url, strict)).ok, url).toBe(true);
    }
  });

  it('allows exactly the configured origins, and everything when private URLs are allowed', async () => {
    const policy = { allowPrivateUrls: false, allowedOrigins: ['http://127.0.0.1:4010'] };
    expect((await checkOutboundUrl('http://127.0.0.1:4010/invoices?reference=x', policy)).ok).toBe(true);
    expect((await checkOutboundUrl('http://127.0.0.1:4011/invoices', policy)).ok).toBe(false);
    expect((await checkOutboundUrl('https://127.0.0.1:4010/invoices', policy)).ok).toBe(false);
    expect((await checkOutboundUrl('http://10.0.0.1/', { allowPrivateUrls: true })).ok).toBe(true);
  });

  it('refuses what is not an http(s) URL or carries credentials, whatever the policy', async () => {
    for (const policy of [strict, { allowPrivateUrls: true }]) {
      expect(await checkOutboundUrl('not a url', policy)).toEqual({ ok: false, reason: 'is not a valid URL' });
      expect(await checkOutboundUrl('ftp://files.example.com/', policy)).toEqual({ ok: false, reason: 'must start with https:// (or http://)' });
      expect(await checkOutboundUrl('file:///etc/passwd', policy)).toMatchObject({ ok: false });
      expect(await checkOutboundUrl('https://user:pw@books.example.com/', policy)).toEqual({ ok: false, reason: 'must not contain a user name or password' });
    }
    expect(parseOutboundUrl('https://books.example.com/api').ok).toBe(true);
  });

  it('classifies single addresses, IPv4-mapped IPv6 included', () => {
    expect(isPrivateAddress('127.0.0.1')).toBe(true);
    expect(isPrivateAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isPrivateAddress('::ffff:7f00:1')).toBe(true);
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('not-an-ip')).toBe(false);
    // NAT64 addresses carry an IPv4 address inside IPv6: 64:ff9b::a00:1 is 10.0.0.1.
    expect(isPrivateAddress('64:ff9b::a00:1')).toBe(true);
  });
});
