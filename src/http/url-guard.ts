import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Refuses outbound URLs (provider base URLs, webhooks) that point at loopback,
 * private, link-local or otherwise internal addresses, so a tenant admin cannot
 * make ledgerlink call into the network it runs in (SSRF). Tests and local
 * sandboxes opt out with ALLOW_PRIVATE_URLS=true, or name exact origins.
 */
export interface UrlPolicy {
  allowPrivateUrls: boolean;
  /** Exact origins ("http://127.0.0.1:4010") allowed even when private. */
  allowedOrigins?: readonly string[];
  /**
   * How host names are resolved, every address (default: the system resolver,
   * as sockets use it). Drills and tests inject a resolver that fails.
   */
  resolve?: (hostname: string) => Promise<string[]>;
}

/**
 * A refused URL says why. `unresolved` (the resolver's error code) marks a name
 * that could not be resolved at the moment: not a verdict on the address, so a
 * sync retries it instead of failing.
 */
export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string; unresolved?: string };

/**
 * Errors of a name lookup (getaddrinfo's and c-ares' codes as Node names them):
 * the name could not be resolved at that moment.
 */
export const DNS_FAILURE_CODES: readonly string[] = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ENOTIMP', 'EFORMERR', 'EBADRESP', 'ECANCELLED'];

/** The system resolver, every address of a name (what a socket would connect to). */
export async function systemResolve(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true })).map((a) => a.address);
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  // 6to4 relay anycast (deprecated).
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  // Unspecified, loopback, and the deprecated IPv4-compatible form (::a.b.c.d), which stacks
  // still route to the IPv4 address inside.
  ['::', 96],
  // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765). IPv4-mapped (::ffff:a.b.c.d) is checked
  // against the IPv4 list instead (BlockList maps it).
  ['::ffff:0:0:0', 96],
  // NAT64: maps IPv4 (private ones too) into IPv6.
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  // Discard-only.
  ['100::', 64],
  // Teredo: tunnels to an IPv4 address written inside.
  ['2001::', 32],
  // Documentation.
  ['2001:db8::', 32],
  ['3fff::', 20],
  // 6to4: 2002:a.b.c.d::/48 reaches the IPv4 address a.b.c.d through a relay.
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  // Site-local (deprecated, still routed inside some networks).
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return false;
}

/** Checks the form of a URL only (no DNS): http(s), no credentials. */
export function parseOutboundUrl(raw: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'must start with https:// (or http://)' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain a user name or password' };
  return { ok: true, url };
}

/**
 * Resolves the host and refuses private targets unless the policy allows them.
 * Done on every request (not only when saving a connection) so a DNS record
 * changed later cannot point ledgerlink inwards.
 */
export async function checkOutboundUrl(raw: string, policy: UrlPolicy): Promise<UrlCheck> {
  const parsed = parseOutboundUrl(raw);
  if (!parsed.ok || policy.allowPrivateUrls) return parsed;
  const { url } = parsed;
  if (policy.allowedOrigins?.includes(url.origin)) return parsed;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { ok: false, reason: `points at a private address (${host}); set ALLOW_PRIVATE_URLS=true to allow it` };
  }
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(host);
    } catch (error) {
      // EAI_AGAIN, SERVFAIL, a timeout, even ENOTFOUND: what DNS says now, not what the address is.
      const code = (error as { code?: string }).code ?? 'EDNS';
      return { ok: false, reason: `host ${host} could not be resolved right now (${code})`, unresolved: code };
    }
    if (addresses.length === 0) return { ok: false, reason: `host ${host} could not be resolved right now (no address)`, unresolved: 'ENODATA' };
  }
  const inside = addresses.find(isPrivateAddress);
  if (inside) {
    return { ok: false, reason: `points at a private address (${host} → ${inside}); set ALLOW_PRIVATE_URLS=true to allow it` };
  }
  return parsed;
}
