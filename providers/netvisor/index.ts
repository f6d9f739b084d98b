export { createNetvisorProvider, netvisorProvider, type NetvisorPrepared } from './adapter.js';
export { netvisorSettingsSchema, type NetvisorSettings, type NetvisorSettingsInput, NETVISOR_DEFAULT_TIMEOUT_MS } from './settings.js';
export { netvisorMac, netvisorAuthHeaders, netvisorTimestamp } from './mac.js';
export { defaultVatCode, NETVISOR_VAT_CODES, type NetvisorVatCode } from './vat-codes.js';
export {
  startNetvisorSandbox,
  buildNetvisorSandbox,
  NETVISOR_SANDBOX_CREDENTIALS,
  NETVISOR_SANDBOX_DEFAULT_PORT,
  type NetvisorSandboxOptions,
  type RunningNetvisorSandbox,
} from './sandbox/netvisor-sandbox.js';
