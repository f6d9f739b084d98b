import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/events/signing.js';

export interface ReceivedEvent {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/** A host's webhook endpoint for tests: records every delivery and can answer errors first. */
export class WebhookReceiver {
  readonly received: ReceivedEvent[] = [];
  private failuresLeft = 0;
  private failStatus = 500;
  private failEachTimes = 0;
  private readonly triesById = new Map<string, number>();
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          json = null;
        }
        this.received.push({ headers: req.headers, body, json, at: Date.now() });
        const id = String(req.headers['webhook-id'] ?? '');
        const tries = (this.triesById.get(id) ?? 0) + 1;
        this.triesById.set(id, tries);
        if (tries <= this.failEachTimes) {
          res.writeHead(this.failStatus).end('not now');
          return;
        }
        if (this.failuresLeft > 0) {
          this.failuresLeft -= 1;
          res.writeHead(this.failStatus).end('not now');
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
    return this;
  }

  failNext(times: number, status = 500): void {
    this.failuresLeft = times;
    this.failStatus = status;
  }

  /** Answers the first `times` tries of every event (by webhook-id) with an error, then 204. */
  failEachEvent(times: number, status = 500): void {
    this.failEachTimes = times;
    this.failStatus = status;
  }

  /** Every try received for one event. */
  tries(webhookId: string): ReceivedEvent[] {
    return this.received.filter((r) => r.headers['webhook-id'] === webhookId);
  }

  types(): string[] {
    return this.received.map((r) => r.json?.type);
  }

  /** Deliveries that verify with the secret, as a receiver following Standard Webhooks would check. */
  verified(secret: string): ReceivedEvent[] {
    return this.received.filter((r) => verify({ secret, headers: r.headers as Record<string, string>, body: r.body, now: new Date() }).ok);
  }

  async waitFor(predicate: (events: ReceivedEvent[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate(this.received)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`webhook receiver: condition not met; got ${JSON.stringify(this.types())}`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
