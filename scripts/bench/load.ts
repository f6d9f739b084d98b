import autocannon from 'autocannon';

/**
 * The load generator of `npm run bench`, run in its own process so it does not
 * share an event loop with what it measures. argv[2] is JSON:
 * { url, connections, seconds, method, headers, body?, invoiceBody?: { prefix, lines } }.
 * With invoiceBody every request posts a new invoice (a unique externalId).
 * Prints one JSON line: requests per second, latency percentiles, status counts.
 */
interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  invoiceBody?: { prefix: string; lines: number };
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;

function invoice(prefix: string, n: number, lines: number): string {
  return JSON.stringify({
    externalId: `${prefix}-${n}`,
    revision: 1,
    invoiceDate: '2026-11-30',
    customer: { externalId: `cust-${n % 50}`, name: `Customer ${n % 50} Oy`, address: { country: 'FI' } },
    lines: Array.from({ length: lines }, (_, j) => ({
      kind: 'task_entry',
      description: `#${1000 + j} work`,
      quantity: '1.25',
      unit: 'hour',
      unitPrice: '100.00',
      vatRate: '25.5',
    })),
  });
}

let n = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  method: spec.method,
  headers: { 'content-type': 'application/json', ...(spec.headers ?? {}) },
  ...(spec.invoiceBody
    ? {
        requests: [
          {
            method: spec.method,
            setupRequest: (request: any) => ({ ...request, body: invoice(spec.invoiceBody!.prefix, n++, spec.invoiceBody!.lines) }),
          },
        ],
      }
    : { body: spec.body ?? '{}' }),
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
