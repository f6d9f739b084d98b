import { expect } from 'vitest';
import { exampleCustomer, exampleEntries, exampleProject, exampleTask } from '../../src/billing/example-work.js';
import type { Harness } from '../support/harness.js';

/** Calls the API and fails the test with the body when the status is not the expected one. */
export async function expectStatus(h: Harness, key: string, method: string, url: string, status: number, body?: unknown): Promise<any> {
  const r = await h.api(method, url, { key, ...(body === undefined ? {} : { body }) });
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

/** Customer cust-17, project proj-3 and ticket #1296 with its three people's 10.75 h (not closed yet). */
export async function pushExampleWork(h: Harness, key: string, options: { project?: Record<string, unknown>; entriesPrefix?: string } = {}): Promise<void> {
  await expectStatus(h, key, 'PUT', '/v1/billing/customers/cust-17', 201, exampleCustomer);
  await expectStatus(h, key, 'PUT', '/v1/billing/projects/proj-3', 201, { ...exampleProject, ...(options.project ?? {}) });
  await expectStatus(h, key, 'PUT', '/v1/billing/tasks/1296', 201, exampleTask);
  const pushed = await expectStatus(h, key, 'POST', '/v1/billing/entries', 200, { entries: exampleEntries(options.entriesPrefix) });
  expect(pushed.created).toBe(3);
}

export async function closeExampleTask(h: Harness, key: string): Promise<any> {
  return expectStatus(h, key, 'PUT', '/v1/billing/tasks/1296', 200, { ...exampleTask, status: 'closed' });
}

/** Polls an operation until it is done or failed. */
export async function waitForOperation(h: Harness, key: string, id: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    last = (await h.api('GET', `/v1/billing/operations/${id}`, { key })).body;
    if (last?.status === 'done' || last?.status === 'failed') return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`operation ${id} did not finish: ${JSON.stringify(last)}`);
}

export async function compile(h: Harness, key: string, body: unknown = {}): Promise<any> {
  const started = await expectStatus(h, key, 'POST', '/v1/billing/compile', 202, body);
  return waitForOperation(h, key, started.operationId);
}
