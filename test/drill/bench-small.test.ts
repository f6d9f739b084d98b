import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` at its small size: every part runs end to end against the
 * sandboxes and the compiled service. This checks what the figures rest on
 * (every invoice accepted and synced, no 429 from the budget-bound provider,
 * intake without errors) — not the figures themselves, which come from the
 * full-size run by hand (README).
 */
describe('npm run bench (small)', () => {
  it('runs every part and writes its JSON', { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-bench-'));
    const out = join(dir, 'bench.json');
    try {
      const printed = await new Promise<string>((resolve, reject) =>
        execFile('npx', ['tsx', 'scripts/bench.ts'], { env: { ...process.env, BENCH_SIZE: 'small', BENCH_OUT: out }, timeout: 540_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      process.stdout.write(printed);
      const r = JSON.parse(readFileSync(out, 'utf8'));
      for (const where of ['postgres', 'pglite']) {
        expect(r.intake[where].non2xx, where).toBe(0);
        expect(r.intake[where].errors, where).toBe(0);
        expect(r.intake[where].accepted, where).toBeGreaterThan(0);
      }
      if (process.platform === 'linux') {
        // Where intake's time goes, per request: the API and PostgreSQL are part of what the machine did.
        // (PostgreSQL's share only where its processes are visible, as on the machines CI runs on.)
        const isPostgres = (pid: string) => {
          try {
            return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
          } catch {
            return false; // ended meanwhile
          }
        };
        const postgresHere = readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && isPostgres(pid));
        for (const round of r.intake.rounds) {
          expect(round.cpu.apiMicros).toBeGreaterThan(0);
          if (postgresHere) expect(round.cpu.postgresMicros).toBeGreaterThan(0);
          expect(round.cpu.machineBusyMicros).toBeGreaterThanOrEqual(0.9 * (round.cpu.apiMicros + (round.cpu.postgresMicros ?? 0)));
          expect(round.bareCpu.apiMicros).toBeGreaterThan(0);
        }
      }
      expect(r.fairness.waitsMs).toHaveLength(2);
      expect(r.budget.tooManyRequests).toBe(0);
      expect(r.budget.invoices).toBe(30);
      expect(r.memory.idleAtStartMiB).toBeGreaterThan(0);
      expect(r.scale.map((s: { workers: number }) => s.workers)).toEqual([1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
