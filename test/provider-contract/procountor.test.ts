import { procountorProvider } from '../../providers/procountor/index.js';
import { startProcountorSandbox } from '../../providers/procountor/index.js';
import { procountorSettingsSchema } from '../../providers/procountor/settings.js';
import { describeProviderContract } from './contract.js';

describeProviderContract({
  name: 'procountor',
  provider: procountorProvider,
  startSandbox: () => startProcountorSandbox({ port: 0 }),
  settings: (sandbox) => procountorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials }),
  wrongCredentials: (sandbox) =>
    procountorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, clientSecret: 'not-the-right-secret' }),
  timeoutMs: 1500,
  managesCustomers: true,
});
