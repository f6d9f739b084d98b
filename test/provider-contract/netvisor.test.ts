import { netvisorProvider, netvisorSettingsSchema, startNetvisorSandbox } from '../../providers/netvisor/index.js';
import { describeProviderContract } from './contract.js';

describeProviderContract({
  name: 'netvisor',
  provider: netvisorProvider,
  startSandbox: () => startNetvisorSandbox({ port: 0 }),
  // Netvisor asks for 120 s; against the local sandbox a short timeout lets a held response trip it.
  settings: (sandbox) => netvisorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1500 }),
  wrongCredentials: (sandbox) =>
    netvisorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, partnerKey: 'not-the-partner-key', timeoutMs: 1500 }),
  timeoutMs: 1500,
});
