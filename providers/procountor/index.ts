/** The Procountor provider: adapter, its settings and its local sandbox. */
export { procountorProvider, type ProcountorPrepared } from './adapter.js';
export {
  procountorSettingsSchema,
  type ProcountorSettings,
  type ProcountorSettingsInput,
  INVOICE_CHANNELS,
  AFTER_CREATE,
  MAX_REQUESTS_PER_SECOND,
} from './settings.js';
export { startProcountorSandbox, PROCOUNTOR_SANDBOX_PORT, type ProcountorSandboxOptions } from './sandbox/start.js';
