import type { SandboxFault } from '../types.js';

/**
 * Faults a sandbox was told to inject, consumed in order. A fault without
 * `times` stays until cleared; with `times` it is used up after that many hits.
 * A fault with `share` hits only that share of the requests it applies to, at
 * random (drills: "5xx on a tenth of the creates").
 */
export class FaultQueue {
  private faults: Array<{ fault: SandboxFault; left: number }> = [];

  constructor(private readonly random: () => number = Math.random) {}

  inject(fault: SandboxFault): void {
    this.faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first fault that applies to this request, if any. */
  take(applies: (fault: SandboxFault) => boolean): SandboxFault | null {
    const entry = this.faults.find((f) => f.left > 0 && applies(f.fault) && (f.fault.share === undefined || this.random() < f.fault.share));
    if (!entry) return null;
    entry.left -= 1;
    this.faults = this.faults.filter((f) => f.left > 0);
    return entry.fault;
  }
}
