import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { budget } from './bench/budget.js';
import { fairness } from './bench/fairness.js';
import { embeddedIntake, intakeSideBySide } from './bench/intake.js';
import { memory } from './bench/memory.js';
import { scale } from './bench/scale.js';
import { repoRoot } from './lib/service-process.js';

/**
 * `npm run bench`: ledgerlink's figures on this machine, from the compiled
 * service in its own processes (as production runs it), against the sandboxes,
 * with load generated from another process (autocannon). Prints a table and
 * writes JSON (BENCH_OUT, default bench-results.json).
 *
 * BENCH_SIZE=small runs every part briefly (what `npm test` checks);
 * the default, full, is the size the README reports. BENCH_ONLY=intake,fairness,...
 * runs some parts. Needs Redis and PostgreSQL (PG_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres).
 */
const small = process.env.BENCH_SIZE === 'small';
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const wanted = (part: string) => !only || only.includes(part);
const size = small
  ? { seconds: 3, rounds: 1, connections: 50, backlog: 60, probes: 2, budgetInvoices: 30, customers: 5, memoryInvoices: 200, idleMs: 2_000, scaleInvoices: 160, tenants: 8, latencyMs: 100, scaleCounts: [1, 2] }
  : { seconds: 5, rounds: 3, connections: 50, backlog: 1000, probes: 5, budgetInvoices: 200, customers: 20, memoryInvoices: 10_000, idleMs: 10_000, scaleInvoices: 1600, tenants: 16, latencyMs: 200, scaleCounts: [1, 2, 4] };

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  say('bench: building (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  const result: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    size: small ? 'small' : 'full',
    at: new Date().toISOString(),
  };
  if (wanted('intake')) {
    say(`bench: intake (bare Fastify and ledgerlink on PostgreSQL in turns, ${size.rounds} × ${size.seconds} s each; then the embedded database)`);
    const { bare, postgres, rounds } = await intakeSideBySide(size.rounds, size.seconds, size.connections);
    const pglite = await embeddedIntake(size.seconds, size.connections);
    const pgliteRatio = Number((pglite.requestsPerSecond / bare.requestsPerSecond).toFixed(3));
    result.intake = { connections: size.connections, seconds: size.seconds, bare, postgres, pglite: { ...pglite, ratioToBare: pgliteRatio }, rounds };
  }
  if (wanted('fairness')) {
    say(`bench: fairness (a ${size.backlog}-invoice backlog on a 10 req/s Procountor budget, another tenant's single invoice)`);
    result.fairness = await fairness(size.backlog, size.probes);
  }
  if (wanted('budget')) {
    say(`bench: budget (${size.budgetInvoices} invoices, ${size.customers} new customers, Procountor at 10 req/s)`);
    result.budget = await budget(size.budgetInvoices, size.customers);
  }
  if (wanted('memory')) {
    say(`bench: memory (npm start on the embedded database: idle, after the demo, after ${size.memoryInvoices} invoices)`);
    result.memory = await memory(size.memoryInvoices, size.idleMs);
  }
  if (wanted('scale')) {
    say(`bench: scale-out (${size.scaleCounts.join('/')} worker processes, ${size.tenants} tenants, an endpoint answering in ${size.latencyMs} ms)`);
    result.scale = await scale(size.scaleInvoices, size.tenants, size.latencyMs, size.scaleCounts);
  }
  const out = process.env.BENCH_OUT ?? 'bench-results.json';
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(table(result));
  say(`bench: JSON written to ${out}`);
}

function table(r: Record<string, any>): string {
  const rows: Array<[string, string]> = [];
  if (r.intake) {
    const { bare, postgres, pglite, connections, rounds } = r.intake;
    rows.push([`intake, bare Fastify (${connections} connections)`, `${bare.requestsPerSecond} req/s, p50 ${bare.p50ms} ms, p99 ${bare.p99ms} ms`]);
    rows.push([`intake, PostgreSQL / bare, round by round`, rounds.map((x: { ratio: number }) => `${(x.ratio * 100).toFixed(1)} %`).join(', ') + ' (the median is the ratio below)']);
    const bareCpu = rounds.filter((x: { bareCpu: unknown }) => x.bareCpu);
    if (bareCpu.length) {
      rows.push([
        `intake, bare Fastify, CPU per request`,
        bareCpu.map((x: { bareCpu: { apiMicros: number; machineBusyMicros: number; idlePercent: number } }) => `app ${x.bareCpu.apiMicros} µs of ${x.bareCpu.machineBusyMicros} µs busy, ${x.bareCpu.idlePercent} % idle`).join('; '),
      ]);
    }
    const cpu = rounds.filter((x: { cpu: unknown }) => x.cpu);
    if (cpu.length) {
      rows.push([
        `intake, PostgreSQL, CPU per request`,
        cpu
          .map(
            (x: { cpu: { apiMicros: number; postgresMicros: number | null; machineBusyMicros: number; idlePercent: number } }) =>
              `API ${x.cpu.apiMicros} µs + PostgreSQL ${x.cpu.postgresMicros ?? '(not visible here)'} µs of ${x.cpu.machineBusyMicros} µs busy, ${x.cpu.idlePercent} % idle`,
          )
          .join('; '),
      ]);
    }
    for (const [name, x] of [['PostgreSQL, API process', postgres], ['embedded (npm start)', pglite]] as const) {
      rows.push([`intake, ${name}`, `${x.requestsPerSecond} req/s = ${(x.ratioToBare * 100).toFixed(1)} % of bare, p50 ${x.p50ms} ms, p99 ${x.p99ms} ms, non-2xx ${x.non2xx}, errors ${x.errors}`]);
    }
    if (postgres.redisBytesPerQueuedInvoice !== undefined) rows.push(['Redis bytes per queued invoice', String(postgres.redisBytesPerQueuedInvoice)]);
  }
  if (r.fairness) {
    const f = r.fairness;
    rows.push([`fairness: single invoice behind a ${f.backlog}-invoice backlog (10 req/s)`, `max ${f.maxWaitMs} ms; each ${f.waitsMs.join(' / ')} ms; backlog synced meanwhile ${f.backlogSyncedMeanwhile}`]);
  }
  if (r.budget) {
    const b = r.budget;
    rows.push([`budget: ${b.invoices} invoices / ${b.newCustomers} new customers, Procountor 10 req/s`, `${b.invoicesPerSecond} invoices/s, ${b.requestsPerSecond} req/s = ${(b.shareOfBudget * 100).toFixed(1)} % of the budget, ${b.tooManyRequests} × 429, ${b.providerRequestsPerInvoice} requests/invoice`]);
  }
  if (r.memory) {
    const m = r.memory;
    rows.push([`memory: npm start (${m.nodeOptions.join(' ')}) RSS idle / after demo`, `${m.idleAtStartMiB} MiB / ${m.idleAfterDemoMiB} MiB`]);
    rows.push([`memory: after ${m.invoices} invoices (peak / idle)`, `${m.peakMiB} MiB / ${m.idleAfterInvoicesMiB} MiB`]);
  }
  if (r.scale) {
    for (const s of r.scale) rows.push([`scale-out: ${s.workers} worker process${s.workers > 1 ? 'es' : ''}`, `${s.invoicesPerSecond} invoices/s (× ${s.speedup}), ${s.invoices} in ${s.seconds} s`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\nledgerlink bench (${r.size}; ${r.machine.cpus} × ${r.machine.cpu}; Node ${r.machine.node})\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
