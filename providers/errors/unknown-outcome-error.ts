import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/**
 * A write may or may not have taken effect (timeout, connection reset or 5xx
 * after the request was sent). Never re-send: look the invoice up first.
 */
export class ProviderUnknownOutcomeError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('unknown_outcome', options);
  }
}
