import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/** Credentials were refused. The connection is marked unhealthy and the sync fails. */
export class ProviderAuthError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('auth', options);
  }
}
