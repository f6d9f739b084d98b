import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DraftView } from '../billing/draft-composer.js';
import { ApiError } from '../http/api-error.js';
import { actorOfUser } from './actor.js';
import { draftPage, draftsPage, operationPage } from './billing-page.js';
import { operationView } from '../billing/compile-service.js';
import { cyclePage, FREEFORM_LINES, freeformPage, newInvoicesPage } from './billing-period-page.js';
import { field, type ConsoleKit } from './kit.js';
import type { ConsoleUser } from './session.js';

const SECTION = '/console/billing';
/** The step of the ± buttons: a quarter of an hour. */
const STEP = '0.25';

type DraftParams = { Params: { id: string; task: string } };

/** Invoice review (finance): open drafts, a draft's tasks with ±, rename, do not bill, and the Bill button. */
export function billingPages(scope: FastifyInstance, kit: ConsoleKit): void {
  const finance = kit.guard(['finance']);
  const billing = kit.deps.billing;
  const refusedText = (error: ApiError) => {
    const details = (error.toBody().error.details ?? []) as Array<{ path: string; message: string }>;
    return details.length ? details.map((d) => `${d.path} ${d.message}`).join('; ') : error.message;
  };

  scope.post('/billing/compile', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const op = await billing.compile.start(user.tenantId, {});
    return kit.redirect(reply, `/console/billing/operations/${encodeURIComponent(op.id)}`);
  });

  scope.get<{ Params: { id: string } }>('/billing/operations/:id', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const op = operationView(await billing.compile.get(user.tenantId, request.params.id));
    const running = op.status !== 'done' && op.status !== 'failed';
    return kit.page(reply, user, user.t('billing.operation.title'), operationPage(user, op), { section: SECTION, ...(running ? { refreshSeconds: 1 } : {}) });
  });

  const customersOf = async (tenantId: string) =>
    (await billing.store.repos.work.customers(tenantId)).map((c) => ({ externalId: c.externalId, name: (c.name as string | null | undefined) ?? null }));

  scope.get('/billing/freeform', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    return kit.page(reply, user, user.t('billing.freeform.title'), freeformPage({ user, customers: await customersOf(user.tenantId), values: {}, problems: [] }), { section: SECTION });
  });

  scope.post('/billing/freeform', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const values: Record<string, string> = {};
    for (const name of ['type', 'customerExternalId', 'creditedExternalId', 'invoiceDate', 'notes']) values[name] = field(request.body, name) ?? '';
    const lines = [];
    for (let i = 0; i < FREEFORM_LINES; i += 1) {
      const line: Record<string, string> = {};
      for (const f of ['description', 'quantity', 'unit', 'unitPrice', 'vatRate']) {
        values[`line${i}.${f}`] = field(request.body, `line${i}.${f}`) ?? '';
        if (values[`line${i}.${f}`]!.trim()) line[f] = values[`line${i}.${f}`]!.trim();
      }
      if (Object.keys(line).length) lines.push(line);
    }
    const opt = (name: string) => (values[name]!.trim() ? { [name]: values[name]!.trim() } : {});
    const body = { freeform: true, type: values.type === 'credit_note' ? 'credit_note' : 'invoice', customerExternalId: values.customerExternalId, ...opt('creditedExternalId'), ...opt('invoiceDate'), ...opt('notes'), lines };
    try {
      const view = (await billing.periods.createFreeform(user.tenantId, body, actorOfUser(user))) as { id: string };
      return kit.redirect(reply, `/console/billing/drafts/${encodeURIComponent(view.id)}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode === 404) throw error;
      const details = (error.toBody().error.details ?? []) as Array<{ path: string; message: string }>;
      const problems = details.length ? details : [{ path: '', message: error.message }];
      return kit.page(reply, user, user.t('billing.freeform.title'), freeformPage({ user, customers: await customersOf(user.tenantId), values, problems }), { section: SECTION, status: error.statusCode === 400 ? 422 : error.statusCode });
    }
  });

  scope.get('/billing/new', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const today = kit.deps.clock().toISOString().slice(0, 10);
    const from = field(request.query, 'from') ?? `${today.slice(0, 7)}-01`;
    const to = field(request.query, 'to') ?? today;
    const groupBy = field(request.query, 'groupBy') === 'customer' ? 'customer' : 'project';
    const q = field(request.query, 'q')?.trim() || undefined;
    let result = null;
    let problem: string | null = null;
    try {
      result = (await billing.periods.candidates(user.tenantId, { from, to, groupBy, ...(q ? { q } : {}) })) as never;
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode !== 400) throw error;
      problem = refusedText(error);
    }
    return kit.page(reply, user, user.t('billing.new.title'), newInvoicesPage({ user, from, to, groupBy, ...(q ? { q } : {}), result, problem }), { section: SECTION, status: problem ? 422 : 200 });
  });

  scope.post('/billing/new', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const body = { from: field(request.body, 'from'), to: field(request.body, 'to'), groupBy: field(request.body, 'groupBy'), key: field(request.body, 'key') };
    try {
      const view = (await billing.periods.createFromCandidate(user.tenantId, body, actorOfUser(user))) as { id: string };
      return kit.redirect(reply, `/console/billing/drafts/${encodeURIComponent(view.id)}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode === 404) throw error;
      return kit.page(reply, user, user.t('billing.new.title'), newInvoicesPage({ user, from: body.from ?? '', to: body.to ?? '', groupBy: body.groupBy === 'customer' ? 'customer' : 'project', result: null, problem: refusedText(error) }), { section: SECTION, status: error.statusCode === 400 ? 422 : error.statusCode });
    }
  });

  scope.get('/billing/cycle', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const period = field(request.query, 'period') || kit.deps.clock().toISOString().slice(0, 7);
    let cycle;
    try {
      cycle = await billing.cycle.cycle(user.tenantId, { period });
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode !== 400) throw error;
      return kit.redirect(reply, '/console/billing/cycle');
    }
    const flash = field(request.query, 'done') === 'marked' ? { kind: 'ok' as const, text: user.t('billing.cycle.marked') } : null;
    return kit.page(reply, user, user.t('billing.cycle.title', { period }), cyclePage(user, cycle as never), { section: SECTION, flash });
  });

  scope.post<{ Params: { id: string } }>('/billing/invoices/:id/mark-sent', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    await billing.sending.markSent(user.tenantId, request.params.id, actorOfUser(user));
    const period = field(request.body, 'period');
    return kit.redirect(reply, `/console/billing/cycle?${period && /^\d{4}-\d{2}$/.test(period) ? `period=${period}&` : ''}done=marked`);
  });

  scope.get<{ Params: { id: string } }>('/billing/invoices/:id/pdf', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const { filename, pdf } = await billing.sending.pdf(user.tenantId, request.params.id);
    return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${filename}"`).header('cache-control', 'no-store').send(pdf);
  });

  scope.get('/billing', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const { drafts } = await billing.drafts.list(user.tenantId, { status: 'open' });
    return kit.page(reply, user, user.t('billing.title'), draftsPage(user, drafts as never), { section: SECTION });
  });

  const showDraft = async (reply: FastifyReply, user: ConsoleUser, id: string, flash: { kind: 'ok' | 'error'; text: string } | null = null, status = 200) => {
    const draft = (await billing.drafts.view(user.tenantId, id, { check: true })) as DraftView;
    return kit.page(reply, user, user.t('billing.draft', { project: draft.project?.name ?? id }), draftPage(user, draft), { section: SECTION, flash, status });
  };

  scope.get<{ Params: { id: string } }>('/billing/drafts/:id', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    return showDraft(reply, user, request.params.id, field(request.query, 'done') === 'fields' ? { kind: 'ok', text: user.t('billing.fields.saved') } : null);
  });

  scope.post<DraftParams>('/billing/drafts/:id/tasks/:task', { preHandler: finance }, async (request: FastifyRequest<DraftParams>, reply) => {
    const user = kit.userOf(request);
    const action = field(request.body, 'action');
    const patch =
      action === 'plus' ? { adjustHours: STEP }
      : action === 'minus' ? { adjustHours: `-${STEP}` }
      : action === 'exclude' ? { excluded: true }
      : action === 'include' ? { excluded: false }
      : action === 'rename' ? { title: field(request.body, 'title') ?? '' }
      : null;
    if (!patch) return showDraft(reply, user, request.params.id, { kind: 'error', text: user.t('billing.refused', { message: 'action' }) }, 422);
    try {
      await billing.drafts.patchTask(user.tenantId, request.params.id, request.params.task, patch, actorOfUser(user));
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode === 404) throw error;
      const details = (error.toBody().error.details ?? []) as Array<{ path: string; message: string }>;
      const message = details.length ? details.map((d) => `${d.path} ${d.message}`).join('; ') : error.message;
      return showDraft(reply, user, request.params.id, { kind: 'error', text: user.t('billing.refused', { message }) }, error.statusCode === 400 ? 422 : error.statusCode);
    }
    // Back to the same task's row, so a keyboard user keeps their place.
    return kit.redirect(reply, `/console/billing/drafts/${encodeURIComponent(request.params.id)}`);
  });

  scope.post<{ Params: { id: string } }>('/billing/drafts/:id/fields', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const text = (name: string) => {
      const value = (field(request.body, name) ?? '').trim();
      return value === '' ? null : value;
    };
    const term = text('paymentTermDays');
    const patch = {
      invoiceDate: text('invoiceDate'),
      paymentTermDays: term === null ? null : /^\d{1,3}$/.test(term) ? Number(term) : term,
      contactPerson: text('contactPerson'),
      email: text('email'),
      notes: text('notes'),
    };
    try {
      await billing.drafts.patchDraft(user.tenantId, request.params.id, patch, actorOfUser(user));
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode === 404) throw error;
      return showDraft(reply, user, request.params.id, { kind: 'error', text: user.t('billing.refused', { message: refusedText(error) }) }, error.statusCode === 400 ? 422 : error.statusCode);
    }
    return kit.redirect(reply, `/console/billing/drafts/${encodeURIComponent(request.params.id)}?done=fields`);
  });

  scope.post<{ Params: { id: string } }>('/billing/drafts/:id/release', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    try {
      const { invoice } = await billing.release.release(user.tenantId, request.params.id, actorOfUser(user));
      if (invoice.syncRecordId) return kit.redirect(reply, `/console/invoices/${encodeURIComponent(invoice.syncRecordId)}?done=billed`);
      return kit.redirect(reply, '/console/billing');
    } catch (error) {
      if (!(error instanceof ApiError) || error.statusCode === 404) throw error;
      return showDraft(reply, user, request.params.id, { kind: 'error', text: user.t('billing.refused', { message: error.message }) }, error.statusCode === 400 ? 422 : error.statusCode);
    }
  });
}
