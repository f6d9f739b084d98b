import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedAgents, guardedLookup, PRIVATE_ADDRESS_CODE } from '../../../src/http/guarded-agents.js';

/** A resolver that answers what a (possibly rebound) DNS record says. */
const resolvingTo = (address: string) =>
  ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    else callback(null, address, address.includes(':') ? 6 : 4);
  }) as never;

const lookupOnce = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
    (lookup as unknown as (h: string, o: object, cb: (err: NodeJS.ErrnoException | null, address: unknown) => void) => void)(
      'books.example.com',
      { all },
      (err, address) => resolve({ err, address }),
    ),
  );

describe('sockets refuse private addresses at connect time (DNS rebinding)', () => {
  let server: ReturnType<typeof createServer>;
  let hits = 0;
  let port = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a name that now resolves inside, in both lookup forms, and lets public addresses through', async () => {
    for (const all of [false, true]) {
      const inside = await lookupOnce(guardedLookup(resolvingTo('10.1.2.3')), all);
      expect(inside.err?.code).toBe(PRIVATE_ADDRESS_CODE);
      expect(inside.err?.message).toContain('10.1.2.3');
      const outside = await lookupOnce(guardedLookup(resolvingTo('93.184.216.34')), all);
      expect(outside.err).toBeNull();
    }
  });

  it('a request through the guarded agents to a name resolving to loopback never reaches the server', async () => {
    const policy = { allowPrivateUrls: false };
    const error = await axios.get(`http://localhost:${port}/`, { ...guardedAgents(policy, `http://localhost:${port}/`), timeout: 2000 }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe(PRIVATE_ADDRESS_CODE);
    expect(hits).toBe(0);
    // Allowed explicitly (or all private addresses allowed): no guard.
    expect(guardedAgents({ allowPrivateUrls: false, allowedOrigins: [`http://localhost:${port}`] }, `http://localhost:${port}/x`)).toEqual({});
    expect(guardedAgents({ allowPrivateUrls: true }, `http://localhost:${port}/`)).toEqual({});
  });
});
