import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Start-up failures are one line that names what failed — and never prints a password from a URL. */
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    let stderr = '';
    const child = spawn(tsx, ['src/main.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => done({ code, stderr }));
  });
}

describe('start-up messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-startup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names an unreachable Redis without its password', async () => {
    const { code, stderr } = await run({ DATA_DIR: dir, REDIS_URL: 'redis://default:sup3r-s3cret-pw@127.0.0.1:1/0' });
    expect(code).not.toBe(0);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^ledgerlink: cannot reach Redis at redis:\/\/\*\*\*@127\.0\.0\.1:1\/0; start one with/);
    expect(stderr).not.toContain('sup3r-s3cret-pw');
  });
});
