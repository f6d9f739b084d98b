import { genericProvider, genericSettingsSchema, startGenericSandbox } from '../../providers/generic/index.js';
import { generateWebhookSecret } from '../../src/events/signing.js';
import { describeProviderContract } from './contract.js';

describeProviderContract({
  name: 'generic',
  provider: genericProvider,
  startSandbox: () => startGenericSandbox({ port: 0 }),
  settings: (sandbox) => genericSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials }),
  wrongCredentials: (sandbox) => genericSettingsSchema.parse({ baseUrl: sandbox.url, secret: generateWebhookSecret() }),
  managesCustomers: false,
});
