import { z } from 'zod';

/**
 * What a newer revision does when the older one is already sent or approved at
 * the provider (it can no longer be edited or invalidated quietly):
 *
 * - `refuse` (default): the newer revision fails with `already_issued`, naming
 *   the issued invoice; a person credits it (or switches the policy and resyncs);
 * - `credit_and_reissue`: ledgerlink credits the issued invoice in full with a
 *   credit note, then creates the newer revision as a new invoice — each once.
 */
export const REVISION_POLICIES = ['refuse', 'credit_and_reissue'] as const;
export type RevisionPolicy = (typeof REVISION_POLICIES)[number];

/** The `revisionPolicy` connection setting, the same for every provider. */
export const revisionPolicySetting = z.enum(REVISION_POLICIES, { error: `must be one of ${REVISION_POLICIES.join(', ')}` }).default('refuse');
