import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROVIDER_IDS } from '../domain/invoice-document.js';
import { parseOr400 } from '../http/parse.js';
import type { Reconciliation } from '../sync/reconciliation.js';
import type { AppDeps } from '../app-deps.js';
import { actorOf, requireRole, tenantOf } from '../http/auth.js';

const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM, e.g. 2026-11');

export const reconciliationRunBody = z.strictObject({
  period,
  provider: z.enum(PROVIDER_IDS).optional(),
});

export const reconciliationQuery = z.strictObject({
  period: period.optional(),
  provider: z.enum(PROVIDER_IDS).optional(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const runView = (r: Awaited<ReturnType<Reconciliation['list']>>['runs'][number]) => ({
  id: r.id,
  provider: r.provider,
  period: r.period,
  status: r.status,
  trigger: r.trigger,
  checked: r.checked,
  driftCount: r.driftCount,
  error: r.error,
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
});

/** Finance routes: compare the records of a period with the provider's invoices; list the drift. Nothing is changed. */
export function reconciliationRoutes(app: FastifyInstance, deps: AppDeps & { reconciliation: Reconciliation }): void {
  const finance = requireRole(deps.auth, 'finance', 'admin');

  app.post(
    '/v1/reconciliation/run',
    {
      preHandler: finance,
      schema: { tags: ['reconciliation'], summary: "Reconcile a month now: ledgerlink's records against the provider's invoices (reports drift, changes nothing)", body: deps.docs.schema(reconciliationRunBody) },
    },
    async (request, reply) => {
      const body = parseOr400(reconciliationRunBody, request.body ?? {});
      const tenantId = tenantOf(request);
      const results = await deps.reconciliation.run(tenantId, body.period, { ...(body.provider ? { provider: body.provider } : {}), trigger: actorOf(request) });
      await deps.store.repos.audit.record({ tenantId, actor: actorOf(request), action: 'reconciliation.run', details: { period: body.period, provider: body.provider ?? null } });
      return reply.code(200).send({
        runs: results.map((r) => runView(r.run)),
        drift: results.flatMap((r) => r.drift.map((d) => ({ ...d, provider: r.run.provider, period: r.run.period, runId: r.run.id }))),
      });
    },
  );

  app.get(
    '/v1/reconciliation',
    {
      preHandler: finance,
      schema: { tags: ['reconciliation'], summary: 'The drift found by the newest reconciliation of each month and provider', querystring: deps.docs.schema(reconciliationQuery) },
    },
    async (request) => {
      const query = parseOr400(reconciliationQuery, Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '')));
      const { runs, drift } = await deps.reconciliation.list(tenantOf(request), { ...(query.period ? { period: query.period } : {}), ...(query.provider ? { provider: query.provider } : {}) });
      return { runs: runs.map(runView), drift: drift.map((d) => ({ ...d, foundAt: d.foundAt.toISOString() })) };
    },
  );
}
