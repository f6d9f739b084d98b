import type { z } from 'zod';
import type { AuthDeps } from '../../http/auth.js';
import type { Billing } from '../billing.js';

/** What the billing routes use of the app's dependencies (the app passes its own; they fit). */
export interface BillingRouteDeps {
  auth: AuthDeps;
  billing: Billing;
  /** The OpenAPI schema of a zod schema, for /docs. */
  docs: { schema(schema: z.ZodType): Record<string, unknown> };
}
