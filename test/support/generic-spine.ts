import { startGenericSandbox, type RunningGenericSandbox } from '../../providers/generic/index.js';
import { startHarness, type Harness } from './harness.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface GenericSpine {
  h: Harness;
  sandbox: RunningGenericSandbox;
  receiver: WebhookReceiver;
  /** The API key of tenant acme. */
  key: string;
  /** The secret acme's webhook deliveries are signed with (to verify them at the receiver). */
  webhookSecret: string;
  /** The API's answer to saving acme's generic connection, for tests that check it. */
  connection: { status: number; body: any };
}

/**
 * The whole service with one tenant wired up end to end, as the spine drills
 * need it: a harness (started with `harnessOptions`), a generic sandbox and a
 * webhook receiver on free ports, tenant acme with a generic connection to the
 * sandbox (1 s client timeout, so a held response times out quickly) and its webhook
 * pointed at the receiver.
 *
 * The caller closes h, sandbox and receiver (in afterAll). If starting fails
 * part way, what was already started is closed here before the error is thrown.
 */
export async function startGenericSpine(harnessOptions: Parameters<typeof startHarness>[0] = {}): Promise<GenericSpine> {
  const h = await startHarness(harnessOptions);
  let sandbox: RunningGenericSandbox | undefined;
  let receiver: WebhookReceiver | undefined;
  try {
    sandbox = await startGenericSandbox({ port: 0 });
    receiver = await new WebhookReceiver().start();
    const key = await h.tenant('acme');
    const connection = await h.api('PUT', '/v1/connections/generic', { key, body: { baseUrl: sandbox.url, secret: sandbox.credentials.secret, timeoutMs: 1000 } });
    const webhookSecret: string = (await h.api('PUT', '/v1/webhook', { key, body: { url: receiver.url } })).body.secret;
    return { h, sandbox, receiver, key, webhookSecret, connection };
  } catch (error) {
    await receiver?.close();
    await sandbox?.close();
    await h.close();
    throw error;
  }
}
