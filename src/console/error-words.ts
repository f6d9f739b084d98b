import type { RecordError } from '../store/records-repo.js';
import type { MessageKey, Translate } from './messages.js';

const KNOWN = ['validation', 'auth', 'rate_limit', 'transient', 'unknown_outcome'] as const;

/**
 * A record's last error for a finance person: what happened and what to do,
 * by the error's category (the classification the sync engine made), followed
 * by the provider's own message and the fields it named.
 */
export function errorInWords(error: RecordError, t: Translate): { what: string; todo: string; message: string; fields: Array<{ path: string; message: string }> } {
  const category = (KNOWN as readonly string[]).includes(error.category) ? error.category : 'other';
  return {
    what: t(`error.${category}` as MessageKey),
    todo: t(`error.${category}.todo` as MessageKey),
    message: error.message,
    fields: (error.details ?? []).map((d) => ({ path: d.path, message: d.message })),
  };
}
