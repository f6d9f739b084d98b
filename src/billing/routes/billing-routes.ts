import type { FastifyInstance } from 'fastify';
import type { BillingRouteDeps } from './billing-route-deps.js';
import { billingDraftRoutes } from './draft-routes.js';
import { billingPeriodRoutes } from './period-routes.js';
import { billingWorkRoutes } from './work-routes.js';

/** Every billing route (CONTRACT.md "Billing: from work to invoices"). */
export function billingRoutes(app: FastifyInstance, deps: BillingRouteDeps): void {
  billingWorkRoutes(app, deps);
  billingDraftRoutes(app, deps);
  billingPeriodRoutes(app, deps);
}
