import { finnishReferenceFromBase } from '../domain/finnish/reference-number.js';
import type { TenantsRepo } from '../store/tenants-repo.js';

/**
 * Payment reference numbers for invoices whose host gave none: Finnish 7-3-1
 * references built on the tenant's sequence. Each process reserves a block of
 * the sequence at a time, so intake does not queue on the tenant's row for
 * every invoice; numbers stay unique per tenant (blocks never overlap) — they
 * are identifiers, not invoice numbers, so gaps do not matter.
 */
export class ReferenceNumbers {
  private readonly blocks = new Map<string, { next: number; last: number }>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly tenants: () => TenantsRepo,
    private readonly blockSize = 50,
  ) {}

  async next(tenantId: string): Promise<string> {
    for (;;) {
      const block = this.blocks.get(tenantId);
      if (block && block.next <= block.last) {
        const value = block.next;
        block.next += 1;
        return finnishReferenceFromBase(String(1000 + value));
      }
      // One reservation at a time per tenant; the others wait for it.
      let reserving = this.pending.get(tenantId);
      if (!reserving) {
        reserving = this.tenants()
          .reserveReferenceSeq(tenantId, this.blockSize)
          .then((last) => {
            this.blocks.set(tenantId, { next: last - this.blockSize + 1, last });
          })
          .finally(() => this.pending.delete(tenantId));
        this.pending.set(tenantId, reserving);
      }
      await reserving;
    }
  }
}
