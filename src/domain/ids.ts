import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time: one system call per
 * 256 ids instead of one per id (ids are made several times per request).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomByte(): number {
  if (used >= pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

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
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ALPHABET[randomByte() % 32];
  return head + tail;
}

/** Our reference for a record at the provider: "LL-" + the record id (29 ASCII characters). */
export function referenceFor(recordId: string): string {
  return `LL-${recordId}`;
}
