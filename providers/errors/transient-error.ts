import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/** The call failed and certainly did not take effect (refused connection, 503 before processing, a failed read). */
export class ProviderTransientError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('transient', options);
  }
}
