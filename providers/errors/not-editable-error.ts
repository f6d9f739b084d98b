import { ProviderError, type ProviderErrorOptions } from './provider-error.js';

/**
 * The provider says an invoice can no longer be edited (it was sent or approved
 * meanwhile, or the endpoint does not edit invoices). The sync engine then
 * treats the invoice as issued: the connection's revisionPolicy decides.
 */
export class ProviderNotEditableError extends ProviderError {
  constructor(options: ProviderErrorOptions) {
    super('validation', options);
  }
}
