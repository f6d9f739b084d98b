/** A sandbox control that cannot be done (no such invoice, a bad payment): its HTTP status and why. */
export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxControlError';
  }
}

/** Runs a control; returns the refusal to answer with, or null when it was done. */
export function control(run: () => void): { status: number; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof SandboxControlError) return { status: error.status, message: error.message };
    throw error;
  }
}

const AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A payment a control route received, checked: `{"amount": "100.00", "date": "YYYY-MM-DD"}`. */
export function checkedPayment(body: unknown): { amount: string; date: string } {
  const p = (body ?? {}) as { amount?: unknown; date?: unknown };
  if (!AMOUNT.test(String(p.amount)) || !DATE.test(String(p.date)) || Number.isNaN(Date.parse(String(p.date)))) {
    throw new SandboxControlError(400, 'a payment is {"amount": "100.00", "date": "YYYY-MM-DD"}');
  }
  return { amount: String(p.amount), date: String(p.date) };
}

/** A total a control route received (`{"total": "1234.50"}`), checked. */
export function checkedTotal(body: unknown): string {
  const t = String((body ?? {}) as { total?: unknown } && (body as { total?: unknown })?.total);
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(t)) throw new SandboxControlError(400, 'total must be a decimal string, e.g. "1234.50"');
  return t;
}
