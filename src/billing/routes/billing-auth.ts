import type { BillingRouteDeps } from './billing-route-deps.js';
import { requireRole } from '../../http/auth.js';

/**
 * Who may do what in billing (CONTRACT.md "Billing"): hosts push work,
 * finance reviews, generates, releases and sends, admins configure.
 */
export function billingRoles(deps: BillingRouteDeps) {
  const auth = deps.auth;
  return {
    host: requireRole(auth, 'host', 'admin'),
    /** Compile can be started by the host that pushed the work or by finance. */
    compiler: requireRole(auth, 'host', 'finance'),
    finance: requireRole(auth, 'finance'),
    admin: requireRole(auth, 'admin'),
    settingsReader: requireRole(auth, 'admin', 'finance'),
  };
}
