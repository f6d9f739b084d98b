import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface BootSecrets {
  adminToken: string;
  masterKey: string;
  notes: string[];
}

/**
 * ADMIN_TOKEN and MASTER_KEY come from the environment; when absent they are
 * generated once into DATA_DIR (mode 600) so a first `npm start` needs no
 * setup. The token itself is never printed or logged: only its path.
 */
export function bootstrapSecrets(options: { dataDir: string; adminToken?: string; masterKey?: string }): BootSecrets {
  const notes: string[] = [];
  mkdirSync(options.dataDir, { recursive: true });
  const fromFile = (name: string, make: () => string, note: (path: string, created: boolean) => string) => {
    const path = resolve(join(options.dataDir, name));
    if (existsSync(path)) {
      notes.push(note(path, false));
      return readFileSync(path, 'utf8').trim();
    }
    const value = make();
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
    notes.push(note(path, true));
    return value;
  };
  const adminToken =
    options.adminToken ??
    fromFile('admin-token', () => `llop_${randomBytes(32).toString('base64url')}`, (path, created) => `operator token ${created ? 'generated into' : 'read from'} ${path}`);
  const masterKey =
    options.masterKey ??
    fromFile(
      'master.key',
      () => randomBytes(32).toString('base64'),
      (path, created) =>
        `WARNING: MASTER_KEY is not set; credentials are encrypted with a key ${created ? 'generated into' : 'read from'} ${path}. Keep that file (or set MASTER_KEY) or stored credentials cannot be read.`,
    );
  return { adminToken, masterKey, notes };
}
