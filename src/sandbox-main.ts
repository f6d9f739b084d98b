import { startGenericSandbox } from '../providers/generic/index.js';
import { startNetvisorSandbox } from '../providers/netvisor/index.js';
import { startProcountorSandbox } from '../providers/procountor/index.js';
import type { RunningSandbox } from '../providers/types.js';

/**
 * `npm run sandbox`: local stand-ins for every provider, so ledgerlink can be
 * tried without credentials. Ports: generic 4010, Procountor 4011, Netvisor
 * 4012 (SANDBOX_HOST / SANDBOX_*_PORT to change). Each prints the connection
 * settings it accepts; its faults are under /_sandbox (see README).
 */
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
const port = (name: string, fallback: number) => Number(process.env[`SANDBOX_${name}_PORT`] ?? fallback);

async function main(): Promise<void> {
  const started: RunningSandbox[] = [];
  const tries: Array<[string, () => Promise<RunningSandbox>]> = [
    ['generic', () => startGenericSandbox({ host, port: port('GENERIC', 4010) })],
    ['procountor', () => startProcountorSandbox({ host, port: port('PROCOUNTOR', 4011) })],
    ['netvisor', () => startNetvisorSandbox({ host, port: port('NETVISOR', 4012) })],
  ];
  for (const [name, start] of tries) {
    try {
      const sandbox = await start();
      started.push(sandbox);
      process.stdout.write(`${name} sandbox on ${sandbox.url}\n  connection: ${JSON.stringify({ baseUrl: sandbox.url, ...sandbox.credentials })}\n`);
    } catch (error) {
      process.stderr.write(`ledgerlink sandbox: could not start the ${name} sandbox: ${(error as Error).message}\n`);
      for (const s of started) await s.close();
      process.exit(1);
    }
  }
  const stop = async () => {
    for (const s of started) await s.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

void main();
