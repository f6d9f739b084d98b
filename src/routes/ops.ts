import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';

/** Liveness, readiness (Redis and database), Prometheus metrics. No auth: expose them to your infrastructure only. */
export function opsRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Readiness: Redis and the database answer' } }, async (_request, reply) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
        return { ok: true as const };
      } catch (error) {
        return { ok: false as const, error: (error as Error).message };
      }
    };
    const [redis, database] = await Promise.all([check(() => deps.redis.ping()), check(() => deps.store.db.ping())]);
    const ready = redis.ok && database.ok;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', redis, database });
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    if (deps.queueDepth) {
      const depth = await deps.queueDepth().catch(() => []);
      deps.metrics.queueDepth.reset();
      for (const d of depth) deps.metrics.queueDepth.set({ queue: d.queue, state: d.state }, d.count);
    }
    const records = await deps.store.repos.records.countByStatus().catch(() => []);
    deps.metrics.records.reset();
    for (const r of records) deps.metrics.records.set({ provider: r.provider, status: r.status }, r.count);
    return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
