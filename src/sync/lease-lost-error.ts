/**
 * This run no longer holds the record's lease (it expired while the worker was
 * paused or cut off from the database), so another worker may be syncing it.
 * The run stops without sending anything or changing the record's status.
 */
export class LeaseLostError extends Error {
  constructor(recordId: string) {
    super(`lost the lease on record ${recordId}; another worker may be syncing it`);
    this.name = 'LeaseLostError';
  }
}
