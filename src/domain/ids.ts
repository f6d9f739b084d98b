import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Sortable unique ids (ULID layout: 10 characters of millisecond time, 16 of
 * randomness, Crockford base32). Sorting by id sorts by creation time, which
 * the list route's cursor relies on.
 */
export function newId(now: Date = new Date()): string {
  let time = now.getTime();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32]! + head;
    time = Math.floor(time / 32);
  }
  const bytes = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[bytes[i]! % 32];
  return head + tail;
}

/** Our reference for a record at the provider: "LL-" + the record id (29 ASCII characters). */
export function referenceFor(recordId: string): string {
  return `LL-${recordId}`;
}
