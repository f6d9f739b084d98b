import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LINE_KINDS } from '../domain/invoice-document.js';
import { exportMappingsCsv, importMappingsCsv } from '../domain/products/mapping-csv.js';
import { parseProductMapping } from '../domain/products/mapping-schema.js';
import { MAPPING_SCOPES } from '../domain/products/product-mapping.js';
import { newId } from '../domain/ids.js';
import { applyMappingImport, mappingsFingerprint, planMappingImport } from '../sync/mapping-import.js';
import { toProductMapping } from '../sync/resolve-invoice.js';
import { actorOfUser } from './actor.js';
import { field, type ConsoleKit } from './kit.js';
import { formOfMapping, importPage, inputOfForm, MAPPING_FORM_FIELDS, mappingFormPage, mappingsPage, type MappingForm } from './mappings-page.js';

const SECTION = '/console/mappings';
const FLASH = { saved: 'mappings.saved', deleted: 'mappings.deleted' } as const;

/** Product mappings (admin): the table, add/edit/delete, CSV import with a preview, export. */
export function mappingPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const admin = kit.guard(['admin']);
  const repos = kit.deps.store.repos;

  const filterOf = (query: unknown) => {
    const s = field(query, 'scope');
    const k = field(query, 'lineKind');
    return {
      ...(s && (MAPPING_SCOPES as readonly string[]).includes(s) ? { scope: s } : {}),
      ...(k && (LINE_KINDS as readonly string[]).includes(k) ? { lineKind: k } : {}),
    };
  };

  scope.get('/mappings', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const filter = filterOf(request.query);
    const mappings = await repos.mappings.list(user.tenantId, filter);
    const done = field(request.query, 'done');
    const flash = done && Object.hasOwn(FLASH, done) ? { kind: 'ok' as const, text: user.t(FLASH[done as keyof typeof FLASH]) } : null;
    const imported = field(request.query, 'imported');
    const importedFlash = imported && /^\d+\.\d+\.\d+$/.test(imported) ? (([created, updated, unchanged]) => ({ kind: 'ok' as const, text: user.t('mappings.import.done', { created: created!, updated: updated!, unchanged: unchanged! }) }))(imported.split('.')) : null;
    return kit.page(reply, user, user.t('mappings.title'), mappingsPage({ user, mappings, ...filter }), { section: SECTION, flash: flash ?? importedFlash });
  });

  scope.get('/mappings/export.csv', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const mappings = (await repos.mappings.list(user.tenantId, filterOf(request.query))).map(toProductMapping);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="product-mappings.csv"')
      .header('cache-control', 'no-store')
      .send(exportMappingsCsv(mappings));
  });

  scope.get('/mappings/new', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    return kit.page(reply, user, user.t('mappings.add'), mappingFormPage({ user, form: formOfMapping(null), editingId: null, problems: [] }), { section: SECTION });
  });

  scope.get<{ Params: { id: string } }>('/mappings/:id/edit', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const mapping = await repos.mappings.get(user.tenantId, request.params.id);
    if (!mapping) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
    return kit.page(reply, user, user.t('mappings.edit'), mappingFormPage({ user, form: formOfMapping(mapping), editingId: mapping.id, problems: [] }), { section: SECTION });
  });

  /** Saves the form (a new mapping, or the one being edited: its scope and kind stay). */
  const save = async (request: FastifyRequest, reply: FastifyReply, editingId: string | null) => {
    const user = kit.userOf(request);
    const form = Object.fromEntries(MAPPING_FORM_FIELDS.map((f) => [f, field(request.body, f) ?? ''])) as unknown as MappingForm;
    if (editingId) {
      const existing = await repos.mappings.get(user.tenantId, editingId);
      if (!existing) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
      Object.assign(form, { scope: existing.scope, scopeId: existing.scopeId ?? '', lineKind: existing.lineKind });
    }
    const parsed = parseProductMapping(inputOfForm(form));
    if (!parsed.ok) return kit.page(reply, user, user.t('mappings.title'), mappingFormPage({ user, form, editingId, problems: parsed.problems }), { section: SECTION, status: 422 });
    const input = parsed.mapping;
    const { mapping, created } = await repos.mappings.upsert(user.tenantId, { id: `map_${newId()}`, ...input, providerProducts: (input.providerProducts as Record<string, unknown> | null) ?? null, autoCreated: false });
    await repos.audit.record({ tenantId: user.tenantId, actor: actorOfUser(user), action: created ? 'mapping.create' : 'mapping.replace', target: mapping.id, details: input });
    return kit.redirect(reply, '/console/mappings?done=saved');
  };

  scope.post('/mappings', { preHandler: admin }, async (request, reply) => save(request, reply, null));
  scope.post<{ Params: { id: string } }>('/mappings/:id', { preHandler: admin }, async (request, reply) => save(request, reply, request.params.id));

  scope.post<{ Params: { id: string } }>('/mappings/:id/delete', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const deleted = await repos.mappings.delete(user.tenantId, request.params.id);
    if (!deleted) return kit.messagePage(request, reply, 404, 'notFound.title', user.t('notFound.body'));
    await repos.audit.record({ tenantId: user.tenantId, actor: actorOfUser(user), action: 'mapping.delete', target: request.params.id });
    return kit.redirect(reply, '/console/mappings?done=deleted');
  });

  scope.get('/mappings/import', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    return kit.page(reply, user, user.t('mappings.import.title'), importPage({ user, csv: '', problems: [], plan: null, fingerprint: '' }), { section: SECTION });
  });

  scope.post('/mappings/import/preview', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const csv = field(request.body, 'csv') ?? '';
    const parsed = importMappingsCsv(csv);
    if (!parsed.ok) {
      return kit.page(reply, user, user.t('mappings.import.title'), importPage({ user, csv, problems: parsed.problems, plan: null, fingerprint: '' }), { section: SECTION, status: 422 });
    }
    const [plan, fingerprint] = await Promise.all([planMappingImport(repos, user.tenantId, parsed.mappings), mappingsFingerprint(repos, user.tenantId)]);
    return kit.page(reply, user, user.t('mappings.import.title'), importPage({ user, csv, problems: [], plan, fingerprint }), { section: SECTION });
  });

  scope.post('/mappings/import/apply', { preHandler: admin }, async (request, reply) => {
    const user = kit.userOf(request);
    const csv = field(request.body, 'csv') ?? '';
    const parsed = importMappingsCsv(csv);
    if (!parsed.ok) {
      return kit.page(reply, user, user.t('mappings.import.title'), importPage({ user, csv, problems: parsed.problems, plan: null, fingerprint: '' }), { section: SECTION, status: 422 });
    }
    const result = await applyMappingImport(kit.deps.store, user.tenantId, parsed.mappings, { actor: actorOfUser(user), format: 'csv' }, field(request.body, 'fingerprint') ?? '');
    if (!result) {
      const [plan, fingerprint] = await Promise.all([planMappingImport(repos, user.tenantId, parsed.mappings), mappingsFingerprint(repos, user.tenantId)]);
      return kit.page(reply, user, user.t('mappings.import.title'), importPage({ user, csv, problems: [], plan, fingerprint }), {
        section: SECTION,
        status: 409,
        flash: { kind: 'error', text: user.t('mappings.import.stale') },
      });
    }
    return kit.redirect(reply, `/console/mappings?imported=${result.created}.${result.updated}.${result.unchanged}`);
  });
}
