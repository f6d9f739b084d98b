import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../lib/service-process.js';

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  invoiceBody?: { prefix: string; lines: number };
}

/** Runs autocannon (scripts/bench/load.ts) in its own process, so the load does not share an event loop or a core's time slice with what it measures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'scripts/bench/load.ts'), JSON.stringify(spec)],
      { cwd: repoRoot, timeout: (spec.seconds + 60) * 1000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`load generator failed: ${error.message} ${stderr}`));
        const line = stdout.trim().split('\n').at(-1)!;
        resolve(JSON.parse(line) as LoadResult);
      },
    );
  });
}
