import { spawn } from 'node:child_process';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { freePort, repoRoot } from '../lib/service-process.js';
import { cpuPerRequest, takeCpuSample, type CpuPerRequest } from './cpu-sample.js';
import { runLoad, type LoadResult } from './load-run.js';
import { benchTenant, redisBytes, startStack, type Stack } from './stack.js';

export interface IntakeFigures {
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
  /** ledgerlink's requests per second as a share of the bare Fastify's in the same run. */
  ratioToBare?: number;
}

const figures = (r: LoadResult): IntakeFigures => ({
  requestsPerSecond: Math.round(r.requestsPerSecond),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

/** A Fastify app that answers POST /v1/invoices with 202 and does nothing else: the ceiling on this machine. */
async function startBareFastify(): Promise<{ url: string; pid: number | undefined; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare.ts', String(port)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('bare listening') && resolve());
    child.on('exit', () => reject(new Error('the bare Fastify exited')));
  });
  return { url: `http://127.0.0.1:${port}/v1/invoices`, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

export interface IntakeRound {
  bare: IntakeFigures;
  postgres: IntakeFigures;
  ratio: number;
  /** CPU per request answered during ledgerlink's turn (Linux only; `apiMicros`: the API process). */
  cpu: CpuPerRequest | null;
  /** The same during the bare app's turn (`apiMicros`: the bare app's process). */
  bareCpu: CpuPerRequest | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The bare Fastify and ledgerlink's API process on PostgreSQL, measured in
 * turns (bare, ledgerlink, bare, ledgerlink, ...) with the same load: this
 * machine's speed drifts by up to 2× within minutes, so one long run of each
 * can compare a fast minute with a slow one. The ratio is the median of the
 * rounds' ratios; requests per second are over all rounds; p50 the median and
 * p99 the worst of the rounds'.
 */
export async function intakeSideBySide(
  rounds: number,
  seconds: number,
  connections: number,
): Promise<{ bare: IntakeFigures; postgres: IntakeFigures & { accepted: number; redisBytesPerQueuedInvoice: number }; rounds: IntakeRound[] }> {
  const bare = await startBareFastify();
  const sandbox = await startGenericSandbox({ port: 0 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database: 'postgres', workers: 0 });
    const key = await benchTenant(stack, 'intake', 'generic', { baseUrl: sandbox.url, secret: sandbox.credentials.secret });
    const ours = { url: `${stack.url}/v1/invoices`, connections, method: 'POST' as const, headers: { authorization: `Bearer ${key}` } };
    const theirs = { url: bare.url, connections, method: 'POST' as const };
    // The same requests to both: a new 3-line invoice each (the bare app parses it as JSON and answers 202).
    await runLoad({ ...theirs, seconds: 2, invoiceBody: { prefix: 'WARM', lines: 3 } });
    const warm = await runLoad({ ...ours, seconds: 2, invoiceBody: { prefix: 'WARM', lines: 3 } });
    const results: Array<{ bare: LoadResult; postgres: LoadResult; cpu: CpuPerRequest | null; bareCpu: CpuPerRequest | null }> = [];
    const apiPid = stack.api_process.child.pid;
    for (let round = 0; round < rounds; round += 1) {
      const bareBefore = takeCpuSample(bare.pid);
      const b = await runLoad({ ...theirs, seconds, invoiceBody: { prefix: `BARE${round}`, lines: 3 } });
      const bareCpu = cpuPerRequest(bareBefore, takeCpuSample(bare.pid), b.total);
      const before = takeCpuSample(apiPid);
      const p = await runLoad({ ...ours, seconds, invoiceBody: { prefix: `BENCH${round}`, lines: 3 } });
      results.push({ bare: b, postgres: p, cpu: cpuPerRequest(before, takeCpuSample(apiPid), p.total), bareCpu });
    }
    const overall = (which: 'bare' | 'postgres'): IntakeFigures => ({
      requestsPerSecond: Math.round(results.reduce((sum, r) => sum + r[which].total, 0) / (seconds * rounds)),
      p50ms: median(results.map((r) => r[which].latency.p50)),
      p99ms: Math.max(...results.map((r) => r[which].latency.p99)),
      non2xx: results.reduce((sum, r) => sum + r[which].non2xx, 0),
      errors: results.reduce((sum, r) => sum + r[which].errors + r[which].timeouts, 0),
    });
    const perRound = results.map((r) => ({
      bare: figures(r.bare),
      postgres: figures(r.postgres),
      ratio: Number((r.postgres.requestsPerSecond / r.bare.requestsPerSecond).toFixed(3)),
      cpu: r.cpu,
      bareCpu: r.bareCpu,
    }));
    const accepted = results.reduce((sum, r) => sum + r.postgres.total - r.postgres.non2xx, 0);
    // No workers run: everything accepted is still queued. Redis holds the connection's wake-up, not a job per invoice.
    const held = await redisBytes('redis://127.0.0.1:6379', stack.prefix);
    return {
      bare: overall('bare'),
      postgres: {
        ...overall('postgres'),
        ratioToBare: Number(median(perRound.map((r) => r.ratio)).toFixed(3)),
        accepted,
        redisBytesPerQueuedInvoice: Number((held.bytes / Math.max(1, accepted + warm.total - warm.non2xx)).toFixed(2)),
      },
      rounds: perRound,
    };
  } finally {
    await stack?.stop();
    await sandbox.close();
    bare.stop();
  }
}

/**
 * POST /v1/invoices with a new 3-line invoice per request, `connections` at a
 * time, to `npm start` on the embedded database (its one process also syncs).
 */
export async function embeddedIntake(seconds: number, connections: number): Promise<IntakeFigures & { accepted: number }> {
  const database = 'pglite';
  const sandbox = await startGenericSandbox({ port: 0 });
  let stack: Stack | null = null;
  try {
    stack = await startStack({ database, workers: 0 });
    const key = await benchTenant(stack, 'intake', 'generic', { baseUrl: sandbox.url, secret: sandbox.credentials.secret });
    const spec = { url: `${stack.url}/v1/invoices`, connections, method: 'POST' as const, headers: { authorization: `Bearer ${key}` } };
    await runLoad({ ...spec, seconds: 2, invoiceBody: { prefix: 'WARM', lines: 3 } });
    const result = await runLoad({ ...spec, seconds, invoiceBody: { prefix: 'BENCH', lines: 3 } });
    return { ...figures(result), accepted: result.total - result.non2xx };
  } finally {
    await stack?.stop();
    await sandbox.close();
  }
}
