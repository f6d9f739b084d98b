import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/lib/service-process.js';

const run = promisify(execFile);

/** Is redis-server on this machine (the cluster test needs it to start its own nodes)? */
export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real three-node Redis Cluster (no replicas) on free ports, each node a
 * redis-server of its own that keeps nothing on disk; `stop` shuts them down.
 */
export async function startRedisCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'll-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    await run('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir,
      '--pidfile', join(dir, `${port}.pid`),
    ]);
  }
  for (const port of ports) {
    for (let i = 0; i < 50; i++) {
      const ok = await run('redis-cli', ['-p', String(port), 'ping']).then((r) => r.stdout.includes('PONG'), () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (let i = 0; i < 100; i++) {
    const info = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']).then((r) => r.stdout, () => '');
    if (info.includes('cluster_state:ok')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    async stop() {
      for (const port of ports) await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
