import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DraftView } from '../billing/draft-composer.js';
import { ApiError } from '../http/api-error.js';
import { actorOfUser } from './actor.js';
import { draftPage, draftsPage } from './billing-page.js';
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

  scope.get('/billing', { preHandler: finance }, async (request, reply) => {
    const user = kit.userOf(request);
    const { drafts } = await billing.drafts.list(user.tenantId, { status: 'open' });
    return kit.page(reply, user, user.t('billing.title'), draftsPage(user, drafts as never), { section: SECTION });
  });

  const showDraft = async (reply: FastifyReply, user: ConsoleUser, id: string, flash: { kind: 'ok' | 'error'; text: string } | null = null, status = 200) => {
    const draft = (await billing.drafts.view(user.tenantId, id, { check: true })) as DraftView;
    return kit.page(reply, user, user.t('billing.draft', { project: draft.project?.name ?? id }), draftPage(user, draft), { section: SECTION, flash, status });
  };

  scope.get<{ Params: { id: string } }>('/billing/drafts/:id', { preHandler: finance }, async (request, reply) => showDraft(reply, kit.userOf(request), request.params.id));

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
