export { genericProvider } from './adapter.js';
export { genericSettingsSchema, type GenericSettings } from './settings.js';
export { genericInvoicePayload } from './payload.js';
export { startGenericSandbox, buildGenericSandbox, GENERIC_SANDBOX_SECRET, type RunningGenericSandbox } from './sandbox/generic-sandbox.js';
