import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ApiClient, CliError } from './api-client.js';
import { table } from './table.js';

const USAGE = `ledgerlink <command> [options]

  tenants create <id> [--name NAME]                 create a tenant (operator token)
  keys create <tenantId> [--roles host,finance]     create an API key; prints it once (operator token)
  status <id|externalId>                            one invoice: status, provider ids, payments, history
  list [--status failed] [--provider P] [--since DAY] [--limit N]
  resync --status failed [--since DAY] [--provider P] [--yes]
                                                    counts, asks, then resyncs (--yes: no question)
  reconcile --period YYYY-MM [--provider P]         compare a month with the provider; prints the drift

Options: --json (machine-readable output).
Environment: LEDGERLINK_URL (default http://127.0.0.1:8080), LEDGERLINK_API_KEY (tenant commands),
LEDGERLINK_ADMIN_TOKEN or ADMIN_TOKEN (tenants and keys).
Exit codes: 0 done, 1 the API refused or could not be reached, 2 wrong usage, 3 not confirmed,
4 done in part (resync: some invoices were not restarted, or more remain).`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Asks a yes/no question; null when nobody can answer (not a terminal). */
  confirm(question: string): Promise<boolean | null>;
}

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const url = io.env.LEDGERLINK_URL ?? 'http://127.0.0.1:8080';
  const tenantApi = new ApiClient(url, io.env.LEDGERLINK_API_KEY);
  const operatorApi = new ApiClient(url, io.env.LEDGERLINK_ADMIN_TOKEN ?? io.env.ADMIN_TOKEN);
  const json = values.json === true;
  const print = (data: unknown, text: () => string) => io.out(json ? JSON.stringify(data, null, 2) : text());
  const [command, sub, arg] = positionals;
  try {
    switch (`${command ?? ''}${command === 'tenants' || command === 'keys' ? ` ${sub ?? ''}` : ''}`) {
      case 'tenants create': {
        if (!arg) throw usage('tenants create needs the tenant id');
        const r = await operatorApi.call('POST', '/v1/tenants', { id: arg, name: values.name ?? arg }, 'LEDGERLINK_ADMIN_TOKEN');
        print(r.body, () => `tenant ${r.body.id} created`);
        return 0;
      }
      case 'keys create': {
        if (!arg) throw usage('keys create needs the tenant id');
        const roles = String(values.roles ?? 'host,finance').split(',').map((s) => s.trim()).filter(Boolean);
        const r = await operatorApi.call('POST', `/v1/tenants/${encodeURIComponent(arg)}/api-keys`, { roles }, 'LEDGERLINK_ADMIN_TOKEN');
        print(r.body, () => `API key for ${arg} (roles ${roles.join(', ')}); it is shown only now:\n${r.body.key}`);
        return 0;
      }
      case 'status':
        return await status(tenantApi, sub, print);
      case 'list': {
        const query = new URLSearchParams();
        if (values.status) query.set('status', values.status);
        if (values.provider) query.set('provider', values.provider);
        if (values.since) query.set('from', values.since);
        query.set('limit', values.limit ?? '50');
        const r = await tenantApi.call('GET', `/v1/invoices?${query}`);
        print(r.body, () =>
          r.body.items.length === 0
            ? 'no invoices'
            : table(
                ['id', 'externalId', 'rev', 'status', 'provider', 'number', 'gross', 'paid', 'updated'],
                r.body.items.map((i: any) => [i.id, i.externalId, i.revision, i.status, i.provider, i.providerInvoiceNumber, i.totals?.gross, i.paidAmount, i.updatedAt]),
              ) + (r.body.nextCursor ? `\n(more: --limit or the API's cursor ${r.body.nextCursor})` : ''),
        );
        return 0;
      }
      case 'resync': {
        if (!values.status) throw usage('resync needs --status (e.g. --status failed)');
        const filter = { status: values.status.split(','), ...(values.since ? { from: values.since } : {}), ...(values.provider ? { provider: values.provider } : {}) };
        const counted = await tenantApi.call('POST', '/v1/invoices/resync', { ...filter, dryRun: true });
        const count = Number(counted.body.count);
        if (count === 0) {
          print({ count: 0, resynced: 0 }, () => 'nothing to resync');
          return 0;
        }
        if (values.yes !== true) {
          const answer = await io.confirm(`${count} invoice${count === 1 ? '' : 's'} will be resynced. Continue? [y/N] `);
          if (answer === null) {
            io.err(`${count} invoice${count === 1 ? '' : 's'} would be resynced; add --yes to do it without a question.`);
            return 3;
          }
          if (!answer) {
            io.err('not resynced');
            return 3;
          }
        }
        const done = await tenantApi.call('POST', '/v1/invoices/resync', filter);
        const skipped: Array<{ externalId: string; revision: number; id: string; message: string }> = done.body.skipped ?? [];
        const more = done.body.more === true;
        print({ count, resynced: done.body.count, skipped, more }, () =>
          [
            `${done.body.count} of ${count} resynced`,
            ...skipped.map((s) => `not resynced: ${s.externalId} rev ${s.revision} (${s.id}): ${s.message}`),
            ...(more ? ['more invoices match than one resync takes (10,000): run it again for the rest'] : []),
          ].join('\n'),
        );
        // Scripts see from the exit code alone that not everything was restarted.
        return skipped.length || more ? 4 : 0;
      }
      case 'reconcile': {
        if (!values.period) throw usage('reconcile needs --period YYYY-MM');
        const r = await tenantApi.call('POST', '/v1/reconciliation/run', { period: values.period, ...(values.provider ? { provider: values.provider } : {}) });
        print(r.body, () => {
          const runs = table(
            ['provider', 'period', 'status', 'checked', 'drift'],
            r.body.runs.map((x: any) => [x.provider, x.period, x.status, x.checked, x.driftCount]),
          );
          const drift = r.body.drift.length
            ? table(
                ['kind', 'externalId', 'providerInvoice', 'expected', 'actual'],
                r.body.drift.map((d: any) => [d.kind, d.externalId, d.providerInvoiceNumber ?? d.providerInvoiceId, d.expected, d.actual]),
              )
            : 'no drift';
          return `${runs}\n\n${drift}`;
        });
        return r.body.runs.some((x: any) => x.status === 'failed') ? 1 : 0;
      }
      default:
        throw usage(command ? `unknown command "${[command, sub].filter(Boolean).join(' ')}"` : 'no command given');
    }
  } catch (error) {
    if (error instanceof CliError) {
      if (json && error.body !== undefined) io.out(JSON.stringify(error.body, null, 2));
      io.err(error.exitCode === 2 ? `${error.message}\n\n${USAGE}` : error.message);
      return error.exitCode;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      status: { type: 'string' },
      since: { type: 'string' },
      provider: { type: 'string' },
      period: { type: 'string' },
      limit: { type: 'string' },
      name: { type: 'string' },
      roles: { type: 'string' },
    },
  });
}

const usage = (message: string) => new CliError(message, 2);

async function status(api: ApiClient, idOrExternal: string | undefined, print: (data: unknown, text: () => string) => void): Promise<number> {
  if (!idOrExternal) throw usage('status needs a record id or an externalId');
  let record: any = null;
  try {
    record = (await api.call('GET', `/v1/invoices/${encodeURIComponent(idOrExternal)}`)).body;
  } catch (error) {
    if (!(error instanceof CliError) || !/HTTP 404/.test(error.message)) throw error;
  }
  if (!record) {
    const found = (await api.call('GET', `/v1/invoices?externalId=${encodeURIComponent(idOrExternal)}&limit=1`)).body.items[0];
    if (!found) throw new CliError(`No invoice has the id or externalId "${idOrExternal}".`, 1);
    record = (await api.call('GET', `/v1/invoices/${found.id}`)).body;
  }
  print(record, () =>
    [
      table(
        ['field', 'value'],
        [
          ['id', record.id],
          ['externalId', `${record.externalId} (revision ${record.revision})`],
          ['status', record.status],
          ['provider', record.provider],
          ['provider invoice', record.providerInvoiceId ? `${record.providerInvoiceId}${record.providerInvoiceNumber ? ` / number ${record.providerInvoiceNumber}` : ''}` : null],
          ['gross', record.totals?.gross],
          ['paid', record.paidAmount ? `${record.paidAmount} (${record.paidAt})` : null],
          ['sent', record.sentAt],
          ['last error', record.lastError ? `${record.lastError.code}: ${record.lastError.message}` : null],
        ],
      ),
      '',
      table(
        ['at', 'status', 'message'],
        (record.history ?? []).map((e: any) => [e.at, e.status, e.message]),
      ),
    ].join('\n'),
  );
  return 0;
}

/** The process entry: real stdout/stderr, a question on the terminal when there is one. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
    async confirm(question) {
      if (!process.stdin.isTTY && process.env.LEDGERLINK_CONFIRM_FROM_STDIN !== '1') return null;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    },
  });
  process.exitCode = code;
}
