import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/** The provider (or our pre-flight check) refused the data; a person must fix it. */
export class ProviderValidationError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('validation', options);
  }
}
