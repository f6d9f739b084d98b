#!/usr/bin/env node
// After `npm install` against a registry mirror that lacks other platforms' optional
// binaries (rollup's, msgpackr-extract's), package-lock.json leaves those packages out,
// and `npm ci` then refuses the lock ("Missing: … from lock file"). This adds the
// missing entries, marked optional with their os/cpu, so `npm ci` works on every
// platform: npm skips them where they do not apply and fetches them where they do.
// Run it after changing dependencies:  node scripts/complete-lockfile.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const dry = spawnSync('npm', ['ci', '--dry-run'], { encoding: 'utf8' });
const missing = [...`${dry.stdout}${dry.stderr}`.matchAll(/Missing: (.+?)@\S* from lock file/g)].map((m) => m[1]);
if (missing.length === 0) {
  console.log('package-lock.json is complete');
  process.exit(0);
}
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
for (const name of new Set(missing)) {
  const parent = Object.values(lock.packages).find((entry) => entry.optionalDependencies?.[name]);
  if (!parent) throw new Error(`no package in the lock wants ${name}`);
  const meta = JSON.parse(execFileSync('npm', ['view', name, 'os', 'cpu', 'libc', '--json'], { encoding: 'utf8' }) || '{}');
  const entry = { version: parent.optionalDependencies[name], optional: true };
  if (parent.dev) entry.dev = true;
  for (const field of ['cpu', 'libc', 'os']) if (meta[field]) entry[field] = meta[field];
  lock.packages[`node_modules/${name}`] = entry;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${new Set(missing).size} optional platform packages to package-lock.json`);
