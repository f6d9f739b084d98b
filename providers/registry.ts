import { genericProvider } from './generic/adapter.js';
import { netvisorProvider } from './netvisor/adapter.js';
import { procountorProvider } from './procountor/adapter.js';
import type { Provider, ProviderId } from './types.js';

/** Provider id → adapter. Plain data: adding a provider is adding a line. */
export type ProviderRegistry = Partial<Record<ProviderId, Provider<any, any>>>;

export const defaultRegistry: ProviderRegistry = {
  generic: genericProvider,
  procountor: procountorProvider,
  netvisor: netvisorProvider,
};
