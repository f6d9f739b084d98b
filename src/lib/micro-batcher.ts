/**
 * Gathers the calls that arrive together (within one turn of the event loop,
 * up to `maxBatch`) and runs them as one batch: one round trip and one commit
 * for many requests instead of one each. Every caller still gets its own
 * result, and only once its batch is done — intake's "committed before the
 * 202" holds per invoice. When a batch fails as a whole, each item is tried on
 * its own (`single`), so one bad item never fails the others.
 */
export class MicroBatcher<I, O> {
  private pending: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly single: (item: I) => Promise<O>,
    private readonly maxBatch = 100,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: requests whose bodies arrived together share a batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [only] = batch;
      this.single(only!.item).then(only!.resolve, only!.reject);
      return;
    }
    this.runBatch(batch.map((b) => b.item)).then(
      (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
      () => {
        for (const b of batch) this.single(b.item).then(b.resolve, b.reject);
      },
    );
  }
}
