import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';

/**
 * ledgerlink as separate processes, started the way users start it
 * (`tsx src/main.ts [--role=api|worker]`): for crash drills and tests that
 * kill a worker or the API and check nothing is lost or duplicated.
 */
export const repoRoot = resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Still running (not exited, not killed). */
  alive(): boolean;
}

/**
 * How the service is started: from TypeScript through tsx's loader (what tests do: no build), or
 * the compiled JavaScript in dist/ (`npm run build`; what production and the benchmark run).
 */
export type ServiceEntry = 'typescript' | 'compiled';

export function startService(env: Record<string, string>, args: string[] = [], nodeArgs: string[] = [], entry: ServiceEntry = 'typescript'): ServiceProcess {
  let out = '';
  let err = '';
  // Node itself (with tsx's loader for TypeScript), not the tsx wrapper: the wrapper runs the service
  // in a child process, so a SIGKILL would only kill the wrapper and leave the service running.
  const main = entry === 'compiled' ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  // BENCH_PROFILE_DIR: every service started here writes a V8 CPU profile there when it exits (finding where intake's time goes).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs, ...main, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  return { child, stdout: () => out, stderr: () => err, exited, alive: () => child.exitCode === null && child.signalCode === null };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Waits until the API answers /readyz (or the process died). */
export async function waitReady(service: ServiceProcess, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (!service.alive()) throw new Error(`exited early: ${service.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${service.stderr()} ${service.stdout()}`);
}

/** Waits until a worker process says it started. */
export async function waitStarted(service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.stdout().includes('ledgerlink started')) return;
    if (!service.alive()) throw new Error(`exited early: ${service.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`did not start: ${service.stderr()} ${service.stdout()}`);
}

export type ApiCall = (method: string, path: string, token: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Calls ledgerlink's API over HTTP: a port on 127.0.0.1, or a base URL. */
export function apiClient(where: number | string): ApiCall {
  const base = typeof where === 'number' ? `http://127.0.0.1:${where}` : where.replace(/\/+$/, '');
  return async (method, path, token, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as any };
  };
}

/** A new, empty PostgreSQL database on the server of `adminUrl` (processes share it); `drop` removes it. */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lldrill_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Resident memory of a process in MiB (Linux: VmRSS), null when it is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}
