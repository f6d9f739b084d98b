import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/** The billing routes are documented in the OpenAPI description, with their bodies. */
describe('billing in /docs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists every billing route of the contract', async () => {
    const r = await h.api('GET', '/docs/json');
    expect(r.status).toBe(200);
    const paths = r.body.paths as Record<string, Record<string, any>>;
    const expected: Array<[string, string]> = [
      ['/v1/billing/customers/{externalId}', 'put'],
      ['/v1/billing/projects/{externalId}', 'put'],
      ['/v1/billing/tasks/{externalId}', 'put'],
      ['/v1/billing/entries', 'post'],
      ['/v1/billing/users/{userId}/lock', 'put'],
      ['/v1/billing/approvals', 'post'],
      ['/v1/billing/settings', 'put'],
      ['/v1/billing/compile', 'post'],
      ['/v1/billing/operations/{id}', 'get'],
      ['/v1/billing/items', 'get'],
      ['/v1/billing/drafts', 'get'],
      ['/v1/billing/drafts', 'post'],
      ['/v1/billing/drafts/{id}', 'get'],
      ['/v1/billing/drafts/{id}/tasks/{taskExternalId}', 'patch'],
      ['/v1/billing/drafts/{id}', 'patch'],
      ['/v1/billing/drafts/{id}/release', 'post'],
      ['/v1/billing/candidates', 'get'],
      ['/v1/billing/cycle', 'get'],
      ['/v1/billing/invoices', 'get'],
      ['/v1/billing/invoices/{id}', 'get'],
      ['/v1/billing/invoices/{id}/mark-sent', 'post'],
      ['/v1/billing/invoices/{id}/pdf', 'get'],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeTruthy();
    const entries = paths['/v1/billing/entries']!.post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(entries)).toContain('transportMinutes');
  });
});
