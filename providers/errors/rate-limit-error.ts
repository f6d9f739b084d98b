import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/** The provider asked us to slow down; retry after `retryAfterMs`. */
export class ProviderRateLimitError extends ProviderError {
  constructor(options: ProviderErrorOptions & { retryAfterMs: number }) {
    super('rate_limit', options);
  }
}
