import { writeFileSync } from 'node:fs';
import { formatDrillReport, runDrill, type DrillOptions } from './lib/drill.js';

/**
 * `npm run drill` — the crash drill at full size (300 invoices, 3 workers, a
 * worker killed every 4 s). `--small` is the size CI runs. Any option can be
 * set: --invoices=N --rate=N --workers=N --kill-every-ms=N --timeout-share=0.x
 * --error-share=0.x --settle-timeout-ms=N --redis-db=N (flushed! default 9) --json=report.json. Exits 1 on any
 * duplicate, loss, stuck or failed record.
 */
const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [k, v] = arg.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const small = args.has('small');
const number = (name: string, fallback: number) => (args.has(name) ? Number(args.get(name)) : fallback);

const options: DrillOptions = {
  invoices: number('invoices', small ? 40 : 300),
  ratePerSecond: number('rate', small ? 4 : 10),
  workers: number('workers', small ? 2 : 3),
  killEveryMs: number('kill-every-ms', small ? 3000 : 4000),
  timeoutShare: number('timeout-share', 0.1),
  errorShare: number('error-share', 0.1),
  settleTimeoutMs: number('settle-timeout-ms', 120_000),
  adminDatabaseUrl: process.env.DRILL_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.DRILL_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  redisDb: number('redis-db', 9),
  log: (line) => console.log(`drill: ${line}`),
};

const report = await runDrill(options);
console.log(`\n${formatDrillReport(report)}`);
if (args.has('json')) writeFileSync(args.get('json')!, `${JSON.stringify({ options: { ...options, log: undefined }, report }, null, 2)}\n`);
process.exit(report.ok ? 0 : 1);
