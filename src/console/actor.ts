import type { ConsoleUser } from './session.js';

/** Who did it, in the audit log: the key, as for the API, marked as coming from the console. */
export function actorOfUser(user: ConsoleUser): string {
  return `key:${user.keyId} (console)`;
}
