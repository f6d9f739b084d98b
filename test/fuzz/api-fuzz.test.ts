import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../providers/generic/index.js';
import { MAPPING_CSV_COLUMNS } from '../../src/domain/products/mapping-csv.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { saveConnection } from '../../src/sync/connection-store.js';
import { exampleDocument } from '../support/example-invoice.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Property-based fuzzing of the HTTP API (issue 9): intake and preview with
 * thousands of generated documents and mutations of the valid example, and
 * every route the app registers — found through its route catalog, so routes
 * added later are fuzzed too — with generated path parameters, queries and
 * bodies: hostile strings (lone surrogates, NUL, huge, prototype keys),
 * hostile numbers and deep nesting. Whatever is sent: no 5xx, every 400 names
 * a field, and the process keeps serving.
 *
 * Runs: FUZZ_RUNS per property (default 150; try FUZZ_RUNS=3000 by hand).
 * Seed: FUZZ_SEED, else a fixed one on CI (CI=true), else a random one; it is
 * printed, and FUZZ_SEED=<seed> replays a failure.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : process.env.CI ? 20_261_130 : Math.floor(Math.random() * 2 ** 31);
const TIMEOUT_MS = Math.max(60_000, RUNS * 400);

// ------------------------------------------------------------------ generators

/** Any UTF-16 code unit, lone surrogates included (JSON can carry them as "\ud800"). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const hostileConstants = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d\ude00',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '1e-7',
  '0x1F',
  '12,50',
  ' 12.50 ',
  '１２',
  '2026-02-30',
  '0000-01-01',
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '2026-13-45T99:99:99Z',
  '../../etc/passwd',
  '%00',
  '%ED%A0%80',
  '<script>alert(1)</script>',
  "'; drop table sync_records; --",
  '${jndi:ldap://x}',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::a00:1]/',
  'whsec_AAAAAAAAAAAAAAAAAAAAAA==',
];

const hugeString = fc.oneof(
  fc.constantFrom(100_000, 300_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(20_000, 150_000, 400_000).map((n) => '9'.repeat(n)),
  fc.constantFrom(20_000, 150_000).map((n) => `0.${'3'.repeat(n)}`),
);

const hostileString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 4, arbitrary: fc.constantFrom(...hostileConstants) },
  { weight: 3, arbitrary: fc.stringMatching(/^[+-]?\d{1,30}(\.\d{0,30})?$/) },
  { weight: 1, arbitrary: hugeString },
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e-7, 5e-324, 1e21, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 0.1 + 0.2, 123456789012.34567, 3_000_000_000),
);

const hostileKey = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', '\u0000', '\ud800', 'k\udc00', 'quantity', 'unitPrice', 'lines', 'status', 'from', 'to', 'limit') },
);

/** Null-prototype objects, so a "__proto__" key is an own property that JSON.stringify writes. */
const objectOf = (entries: Array<[string, unknown]>) => {
  const object = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) object[k] = v;
  return object;
};

const { json: jsonValue } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 5 }),
    fc.array(fc.tuple(hostileKey, tie('json')), { maxLength: 6 }).map(objectOf),
  ),
}));

/** Nesting far past what any route reads (and past the 32-level guard). */
const deeplyNested = fc.tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { nested: value };
  return value;
});

const anyBody = fc.oneof({ weight: 6, arbitrary: jsonValue }, { weight: 1, arbitrary: deeplyNested });

type Mutation = { path: number[]; action: 'set' | 'delete' | 'wrap'; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  action: fc.constantFrom('set', 'set', 'set', 'delete', 'wrap'),
  value: fc.oneof(jsonValue, hostileNumber, hostileString),
});

/** Applies mutations to a deep copy: each path picks keys by index (modulo), walking down a real document. */
function mutate(seed: unknown, mutations: Mutation[]): unknown {
  const doc = structuredClone(seed) as Record<string, unknown>;
  for (const m of mutations) {
    let parent: any = null;
    let key: string | number | null = null;
    let node: any = doc;
    for (const step of m.path) {
      if (node === null || typeof node !== 'object') break;
      const keys = Array.isArray(node) ? node.map((_: unknown, i: number) => i) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node;
      key = keys[step % keys.length]!;
      node = node[key];
    }
    if (parent === null || key === null) continue;
    if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.action === 'wrap') {
      parent[key] = [parent[key], m.value];
    } else {
      parent[key] = m.value;
    }
  }
  return doc;
}

// ------------------------------------------------------------------ the service under test

/** Valid bodies and queries of the routes known today: mutated, they reach deep into validation. */
const seedBodies: Record<string, unknown[]> = {
  'POST /v1/invoices': [exampleDocument()],
  'POST /v1/invoices/preview': [exampleDocument()],
  'POST /v1/invoices/resync': [{ status: ['failed', 'retrying'], provider: 'generic', from: '2026-01-01', to: '2026-12-31T00:00:00Z' }],
  'PUT /v1/product-mappings': [
    { scope: 'task', scopeId: '1296', lineKind: 'task_entry', product: { code: 'BIM', name: 'BIM work', unit: 'hour', unitPrice: '95.50', vatRate: '25.5' }, providerProducts: { procountor: { id: '101' }, netvisor: { code: 'NV-BIM' } } },
  ],
  'POST /v1/product-mappings/import': [[{ scope: 'tenant', lineKind: 'goods', product: { code: 'G', name: 'Goods', unit: 'pcs', unitPrice: 1 } }]],
  'PUT /v1/customer-links/:customerExternalId': [{ provider: 'generic', providerCustomerId: 'c-1' }],
  'POST /v1/tenants': [{ id: 'fuzz-tenant', name: 'Fuzz Oy' }],
  'POST /v1/tenants/:tenantId/api-keys': [{ roles: ['host', 'finance'], label: 'fuzz' }],
  'PUT /v1/webhook': [{ url: 'http://10.0.0.1/hook', secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAA==' }],
  // Private addresses only: a connection check must never leave the machine.
  'PUT /v1/connections/:provider': [{ baseUrl: 'http://10.0.0.1:9', secret: 'fuzz-secret-value', timeoutMs: 1000 }],
};
const seedQueries: Record<string, Record<string, string>> = {
  'GET /v1/invoices': { status: 'failed,queued', provider: 'generic', from: '2026-01-01', to: '2026-12-31T00:00:00Z', cursor: '01J', limit: '10' },
  'GET /v1/product-mappings': { scope: 'task', scopeId: '1296', lineKind: 'goods', format: 'csv', delimiter: ';' },
  'GET /v1/product-mappings/export': { format: 'json' },
  'DELETE /v1/customer-links/:customerExternalId': { provider: 'netvisor' },
  'GET /v1/customer-links/:customerExternalId': { provider: 'generic' },
};

/** Percent-encodes text for a URL; a lone surrogate (which encodeURIComponent refuses) goes as the bytes a lax encoder would write. */
function urlEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return Array.from(value, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        const c = ch.charCodeAt(0);
        return `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
      }
    }).join('');
  }
}

const rawQueryPart = fc.oneof(hostileString.map(urlEncode), fc.constantFrom('%', '%zz', '%00', '%ED%A0%80', '&&', '=', '[]', 'a[b]=c'));

interface Answer {
  status: number;
  body: any;
  text: string;
}

/** Does a 400 name what is wrong: each detail's path, or — for a body that is not JSON at all — the body. */
function namesAField(answer: Answer): boolean {
  const error = answer.body?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return false;
  if (Array.isArray(error.details) && error.details.length > 0) {
    return error.details.every((d: any) => typeof d?.path === 'string' && d.path.length > 0);
  }
  return /request body/i.test(error.message);
}

describe('fuzzing the API', () => {
  let h: Harness;
  let key: string;
  let routes: Array<{ method: string; url: string }>;
  let requests = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    // API only (nothing is synced), and no outbound call can leave the machine: private
    // addresses are refused and every host name fails to resolve.
    h = await startHarness({
      role: 'api',
      urlPolicy: {
        allowPrivateUrls: false,
        resolve: async () => {
          throw Object.assign(new Error('the fuzz suite resolves no names'), { code: 'ENOTFOUND' });
        },
      },
    });
    key = await h.tenant('fuzz');
    await saveConnection(h.runtime.store.repos, new SecretBox(h.masterKey), 'fuzz', genericProvider, {
      baseUrl: 'http://10.0.0.1:9',
      secret: 'fuzz-secret-value',
      timeoutMs: 1000,
      createCustomers: true,
    });
    routes = [...new Map(h.runtime.app!.routeCatalog().filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r])).values()];
    console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS} runs per property, ${routes.length} routes`);
  });
  afterAll(async () => {
    console.log(`fuzz: ${requests} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    await h?.close();
  });

  async function send(method: string, url: string, options: { auth?: string | null; body?: unknown; raw?: string; contentType?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.auth) headers.authorization = `Bearer ${options.auth}`;
    let payload: string | undefined;
    if (options.raw !== undefined) {
      payload = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body) ?? 'null';
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await h.runtime.app!.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
    requests += 1;
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    let body: unknown = null;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = null;
    }
    return { status: response.statusCode, body, text: response.body };
  }

  /** The properties every answer must have, whatever was sent. */
  function check(what: string, answer: Answer): void {
    if (answer.status >= 500) throw new Error(`${what} → ${answer.status}: ${answer.text.slice(0, 300)}`);
    if (answer.status === 400 && !namesAField(answer)) throw new Error(`${what} → 400 naming no field: ${answer.text.slice(0, 300)}`);
  }

  const describeRequest = (method: string, url: string, body: unknown) => {
    const text = body === undefined ? '' : ` ${(JSON.stringify(body) ?? '').slice(0, 200)}`;
    return `${method} ${url.slice(0, 200)}${text}`;
  };

  /** A failure as one short paragraph (fast-check would print the whole, possibly huge, counterexample). */
  const report = (details: fc.RunDetails<unknown>) => {
    if (!details.failed) return;
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzz failure after ${details.numRuns} runs (replay: FUZZ_SEED=${details.seed}, path ${details.counterexamplePath}): ${error.slice(0, 1500)}`);
  };
  const params = { seed: SEED, numRuns: RUNS, endOnFailure: true, reporter: report } as fc.Parameters<any>;

  it(
    'intake: mutations of the valid example never answer 5xx, and every 400 names its fields',
    async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.string({ minLength: 1, maxLength: 12 }), async (mutations, id) => {
          const doc = mutate(exampleDocument({ externalId: `FZ-${id}` }), mutations);
          const answer = await send('POST', '/v1/invoices', { auth: key, body: doc });
          check(describeRequest('POST', '/v1/invoices', doc), answer);
          if (answer.status === 202) accepted += 1;
        }),
        params,
      );
      console.log(`fuzz: intake accepted ${accepted} of ${RUNS} mutated documents`);
    },
    TIMEOUT_MS,
  );

  it(
    'preview: mutations of the example and wholly generated documents never answer 5xx; problems name their fields',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(exampleDocument(), m)), anyBody), async (doc) => {
          const answer = await send('POST', '/v1/invoices/preview', { auth: key, body: doc });
          check(describeRequest('POST', '/v1/invoices/preview', doc), answer);
          if (answer.status === 200) {
            expect(typeof answer.body.valid).toBe('boolean');
            for (const problem of answer.body.problems) expect(typeof problem.path === 'string' && problem.path.length > 0, JSON.stringify(problem)).toBe(true);
            if (!answer.body.valid) expect(answer.body.problems.length).toBeGreaterThan(0);
          }
        }),
        params,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'intake: hostile numbers in every decimal field are refused quickly, naming the field, or taken exactly',
    async () => {
      const fields = ['quantity', 'bookedQuantity', 'adjustment', 'unitPrice', 'vatRate'] as const;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), fc.oneof(hostileNumber, hostileString), fc.string({ minLength: 1, maxLength: 12 }), async (field, value, id) => {
          const doc = exampleDocument({ externalId: `NUM-${id}` }) as Record<string, any>;
          doc.lines[0] = { ...doc.lines[0], bookedQuantity: null, adjustment: null, [field]: value };
          const answer = await send('POST', '/v1/invoices', { auth: key, body: doc });
          check(describeRequest('POST', '/v1/invoices', { [field]: value }), answer);
          if (answer.status === 400) expect(answer.text.length, 'an answer that echoes a huge value').toBeLessThan(20_000);
        }),
        params,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'every route: generated path parameters, queries and bodies never answer 5xx, and every 400 names a field',
    async () => {
      expect(routes.length).toBeGreaterThan(10);
      const auth = fc.constantFrom<'key' | 'operator' | 'none' | 'garbage'>('key', 'key', 'key', 'operator', 'none', 'garbage');
      const request = fc.record({
        route: fc.constantFrom(...routes),
        auth,
        params: fc.array(fc.oneof(hostileString, fc.constantFrom('generic', 'procountor', 'netvisor', 'fuzz', 'cust-17')), { minLength: 4, maxLength: 4 }),
        query: fc.oneof(
          fc.array(fc.tuple(rawQueryPart, rawQueryPart), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
          fc.array(mutation, { maxLength: 3 }),
        ),
        body: fc.oneof(
          { weight: 3, arbitrary: anyBody.map((b) => ({ json: b })) },
          { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((m) => ({ mutations: m })) },
          { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000').map((raw) => ({ raw })) },
          {
            weight: 1,
            arbitrary: fc
              .array(fc.array(hostileString, { maxLength: MAPPING_CSV_COLUMNS.length + 2 }), { maxLength: 5 })
              .map((rows) => ({ csv: [MAPPING_CSV_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\r\n') })),
          },
        ),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const name = `${r.route.method} ${r.route.url}`;
          let i = 0;
          const path = r.route.url.replace(/:[A-Za-z0-9_]+|\*/g, () => urlEncode(r.params[i++ % r.params.length]!));
          let query = '';
          if (typeof r.query === 'string') query = r.query;
          else if (seedQueries[name]) {
            const mutated = mutate(seedQueries[name], r.query) as Record<string, unknown>;
            query = Object.entries(mutated)
              .map(([k, v]) => `${urlEncode(k)}=${urlEncode(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`)
              .join('&');
          }
          const url = `${path}${query ? `?${query}` : ''}`;
          const token = r.auth === 'key' ? key : r.auth === 'operator' ? h.adminToken : r.auth === 'garbage' ? 'llk_not-a-key' : null;
          const hasBody = r.route.method !== 'GET' && r.route.method !== 'HEAD';
          let answer: Answer;
          let shown: unknown;
          if (!hasBody) {
            answer = await send(r.route.method, url, { auth: token });
          } else if ('raw' in r.body) {
            shown = r.body.raw;
            answer = await send(r.route.method, url, { auth: token, raw: r.body.raw });
          } else if ('csv' in r.body) {
            shown = r.body.csv;
            answer = await send(r.route.method, url, { auth: token, raw: r.body.csv, contentType: 'text/csv' });
          } else if ('mutations' in r.body) {
            const seeds = seedBodies[name];
            shown = seeds ? mutate(seeds[0], r.body.mutations) : mutate({ value: 'x' }, r.body.mutations);
            answer = await send(r.route.method, url, { auth: token, body: shown });
          } else {
            shown = r.body.json;
            answer = await send(r.route.method, url, { auth: token, body: shown });
          }
          check(describeRequest(r.route.method, url, shown), answer);
        }),
        { ...params, numRuns: RUNS * 3 },
      );
    },
    TIMEOUT_MS * 3,
  );

  it('keeps serving: it is alive and still accepts a valid invoice', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
    const answer = await send('POST', '/v1/invoices', { auth: key, body: exampleDocument({ externalId: 'AFTER-THE-FUZZ' }) });
    expect(answer.status, answer.text).toBe(202);
  });
});
