import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startGenericSandbox } from '../../providers/generic/index.js';
import { apiClient, freePort, freshPostgresDatabase, startService, waitReady } from '../lib/service-process.js';

const database = await freshPostgresDatabase(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const sandbox = await startGenericSandbox({ port: 0 });
const port = await freePort();
const adminToken = randomBytes(16).toString('hex');
const api = startService(
  { PORT: String(port), DATABASE_URL: database.url, QUEUE_PREFIX: `probe-${randomBytes(3).toString('hex')}`, ADMIN_TOKEN: adminToken, MASTER_KEY: randomBytes(32).toString('base64'), ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: process.env.PROBE_LOG_LEVEL ?? 'info' },
  ['--role=api'],
  process.env.PROBE_NODE_ARGS ? process.env.PROBE_NODE_ARGS.split(' ') : [],
);
await waitReady(api, port);
console.log('api pid', api.child.pid);
const call = apiClient(port);
await call('POST', '/v1/tenants', adminToken, { id: 'bench', name: 'Bench' });
const key = (await call('POST', '/v1/tenants/bench/api-keys', adminToken, { roles: ['host'] })).body.key;
const k2 = (await call('POST', '/v1/tenants/bench/api-keys', adminToken, { roles: ['admin'] })).body.key;
console.log((await call('PUT', '/v1/connections/generic', k2, { baseUrl: sandbox.url, secret: sandbox.credentials.secret })).status);
const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench/load.ts', JSON.stringify({ url: `http://127.0.0.1:${port}/v1/invoices`, connections: 50, seconds: Number(process.env.PROBE_SECONDS ?? 10), method: 'POST', headers: { authorization: `Bearer ${key}` }, invoiceBody: { prefix: 'P', lines: 3 } })]).toString();
console.log(out);
api.child.kill('SIGINT');
await api.exited;
await sandbox.close();
await database.drop();
