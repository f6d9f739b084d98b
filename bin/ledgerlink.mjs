#!/usr/bin/env node
// The ledgerlink CLI. In a source checkout it runs the TypeScript through tsx (a dist/ there may be
// older than the sources, or being rebuilt); an installation without sources (the Docker image) runs dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'main.js');
let cli;
if (!existsSync(join(root, 'src', 'cli', 'main.ts')) && existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
await cli.main();
