import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../support/example-invoice.js';
import { startGenericSpine, type GenericSpine } from '../support/generic-spine.js';
import { ConsoleClient, textOf } from './console-client.js';

/**
 * The webhook delivery log and replay — in the API (GET /v1/webhook/deliveries,
 * POST /v1/webhook/deliveries/{id}/replay) and in the console, with rotating
 * the signing secret — against a real receiver.
 */
describe('webhook: delivery log, replay, rotate (API and console)', () => {
  let spine: GenericSpine;
  let admin: ConsoleClient;
  let invoiceId: string;

  beforeAll(async () => {
    spine = await startGenericSpine();
    const posted = await spine.h.api('POST', '/v1/invoices', { key: spine.key, body: exampleDocument({ externalId: 'HOOK-1' }) });
    invoiceId = posted.body.id;
    await spine.h.waitForStatus(spine.key, invoiceId, ['synced']);
    await spine.receiver.waitFor((events) => events.some((e) => e.json?.type === 'invoice.synced'));
    admin = new ConsoleClient(spine.h);
    await admin.signIn(spine.key);
  });
  afterAll(async () => {
    await spine?.receiver.close();
    await spine?.sandbox.close();
    await spine?.h.close();
  });

  it('the API lists deliveries newest first with status, tries and last answer, and replays one with the same webhook-id', async () => {
    const log = await spine.h.api('GET', '/v1/webhook/deliveries', { key: spine.key });
    expect(log.status).toBe(200);
    expect(log.body.items.map((d: any) => d.type)).toEqual(['invoice.synced', 'invoice.queued']);
    expect(log.body.items[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204, externalId: 'HOOK-1', recordId: invoiceId, sequence: 2 });
    expect((await spine.h.api('GET', '/v1/webhook/deliveries?status=failed', { key: spine.key })).body.items).toEqual([]);
    expect((await spine.h.api('GET', '/v1/webhook/deliveries?status=lost', { key: spine.key })).status).toBe(400);

    const id = log.body.items[0].id;
    const replay = await spine.h.api('POST', `/v1/webhook/deliveries/${id}/replay`, { key: spine.key });
    expect(replay.status).toBe(202);
    await spine.receiver.waitFor(() => spine.receiver.tries(id).length === 2);
    const [first, second] = spine.receiver.tries(id);
    expect(second!.body).toBe(first!.body);
    expect((await spine.h.api('GET', '/v1/webhook/deliveries', { key: spine.key })).body.items[0].attempts).toBe(2);
  });

  it('another tenant’s delivery cannot be seen or replayed; the routes are in the OpenAPI description and the console’s are not', async () => {
    const otherKey = await spine.h.tenant('hooli', ['admin']);
    expect((await spine.h.api('GET', '/v1/webhook/deliveries', { key: otherKey })).body.items).toEqual([]);
    const id = (await spine.h.api('GET', '/v1/webhook/deliveries', { key: spine.key })).body.items[0].id;
    expect((await spine.h.api('POST', `/v1/webhook/deliveries/${id}/replay`, { key: otherKey })).status).toBe(404);
    const docs = (await spine.h.api('GET', '/docs/json')).body;
    expect(docs.paths['/v1/webhook/deliveries']?.get).toBeTruthy();
    expect(docs.paths['/v1/webhook/deliveries/{id}/replay']?.post).toBeTruthy();
    expect(Object.keys(docs.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
  });

  it('console: the address and the log; replay from the log', async () => {
    const page = await admin.get('/console/webhook');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(page.body).toContain(`value="${spine.receiver.url}"`);
    expect(text).toContain('invoice.synced');
    expect(text).toContain('HOOK-1');
    expect(text).toContain('Toimitettu');
    expect(page.body).not.toContain(spine.webhookSecret);
    const queuedId = (await spine.h.api('GET', '/v1/webhook/deliveries', { key: spine.key })).body.items.find((d: any) => d.type === 'invoice.queued').id;
    const replay = await admin.post(`/console/webhook/deliveries/${queuedId}/replay`, {});
    expect(replay.statusCode).toBe(303);
    expect(textOf((await admin.get(replay.headers.location as string)).body)).toContain('Tapahtuma palautettiin jonoon');
    await spine.receiver.waitFor(() => spine.receiver.tries(queuedId).length === 2);
  });

  it('console: rotating the secret shows the new one once; events are then signed with it; changing the address keeps it', async () => {
    await admin.get('/console/webhook');
    const rotated = await admin.post('/console/webhook/rotate', {});
    expect(rotated.statusCode).toBe(200);
    const secret = /<code id="new-secret">([^<]+)<\/code>/.exec(rotated.body)![1]!;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(spine.webhookSecret);
    expect((await admin.get('/console/webhook')).body).not.toContain(secret);

    const moved = await admin.post('/console/webhook', { url: spine.receiver.url });
    expect(moved.statusCode).toBe(303);
    const posted = await spine.h.api('POST', '/v1/invoices', { key: spine.key, body: exampleDocument({ externalId: 'HOOK-2' }) });
    await spine.h.waitForStatus(spine.key, posted.body.id, ['synced']);
    await spine.receiver.waitFor((events) => events.some((e) => e.json?.type === 'invoice.synced' && e.json.data.id === posted.body.id));
    const verified = spine.receiver.verified(secret).filter((e) => e.json.data.id === posted.body.id);
    expect(verified.map((e) => e.json.type)).toContain('invoice.synced');
    expect(spine.receiver.verified(spine.webhookSecret).filter((e) => e.json.data.id === posted.body.id)).toEqual([]);
  });

  it('console: an address that is not a URL is refused in words, nothing changes', async () => {
    await admin.get('/console/webhook');
    const r = await admin.post('/console/webhook', { url: 'not a url' });
    expect(r.statusCode).toBe(422);
    expect(textOf(r.body)).toContain('Ei tallennettu:');
    expect((await spine.h.api('GET', '/v1/webhook', { key: spine.key })).body.url).toBe(spine.receiver.url);
  });
});
