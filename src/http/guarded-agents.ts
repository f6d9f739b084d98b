import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress, type UrlPolicy } from './url-guard.js';

/** The code of the error a guarded connection fails with. */
export const PRIVATE_ADDRESS_CODE = 'ERR_PRIVATE_ADDRESS';

type Resolver = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => void;

/**
 * A DNS lookup for sockets that refuses private addresses. checkOutboundUrl
 * resolves a host before a request, but the socket resolves it again when it
 * connects; checking here, on the address actually connected to, closes the
 * gap a DNS record changed in between (DNS rebinding) would open.
 */
export function guardedLookup(resolver: Resolver = dnsLookup as unknown as Resolver): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    resolver(hostname, options, (err, address, family) => {
      if (err) return callback(err);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const inside = addresses.find((a) => isPrivateAddress(a));
      if (inside) {
        const refused = Object.assign(new Error(`${hostname} resolves to the private address ${inside}; set ALLOW_PRIVATE_URLS=true to allow it`), {
          code: PRIVATE_ADDRESS_CODE,
        });
        return callback(refused);
      }
      return callback(null, address, family);
    });
  }) as LookupFunction;
}

const cache = new WeakMap<UrlPolicy, { httpAgent: http.Agent; httpsAgent: https.Agent }>();

/**
 * Agents whose sockets refuse private addresses, for a request to `url`; none
 * when the policy allows private addresses or names the URL's origin.
 */
export function guardedAgents(policy: UrlPolicy, url: string): { httpAgent?: http.Agent; httpsAgent?: https.Agent } {
  if (policy.allowPrivateUrls) return {};
  try {
    if (policy.allowedOrigins?.includes(new URL(url).origin)) return {};
  } catch {
    // Not a URL: checkOutboundUrl has refused it already.
  }
  let agents = cache.get(policy);
  if (!agents) {
    const lookup = guardedLookup(policy.resolve ? callbackResolver(policy.resolve) : undefined);
    agents = { httpAgent: new http.Agent({ lookup }), httpsAgent: new https.Agent({ lookup }) };
    cache.set(policy, agents);
  }
  return agents;
}

/** A promise resolver (UrlPolicy.resolve) in the callback form sockets call. */
function callbackResolver(resolve: (hostname: string) => Promise<string[]>): Resolver {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        if (entries.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENODATA' }), '');
        if (options.all) return callback(null, entries);
        return callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
