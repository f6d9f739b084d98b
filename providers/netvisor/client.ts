import type { OutboundRequest } from '../http/outbound-http.js';
import type { ProviderContext } from '../types.js';
import { netvisorFailure, nonNetvisorAnswer } from './errors.js';
import { netvisorAuthHeaders } from './mac.js';
import { orgLockKey, withOrgLock } from './org-lock.js';
import { withDefaults, type NetvisorSettings } from './settings.js';
import { decodeXmlBytes } from './xml/tree.js';
import { NotNetvisorXmlError, parseNetvisorResponse, type NetvisorResponse } from './xml/parse-response.js';
import type { XmlBody } from './xml/serialize.js';

export type NetvisorContext = ProviderContext<NetvisorSettings>;

/** What the adapter injects (tests pass their own). */
export interface NetvisorDeps {
  /** A fresh, unique transaction id per request. */
  transactionId: () => string;
  /** Sleep used while waiting for the organisation lock. */
  sleep?: (ms: number) => Promise<void>;
}

/** How often a request refused as REQUEST_NOT_UNIQUE is sent again with a new transaction id. */
export const NOT_UNIQUE_RETRIES = 3;

/** Extra lock lifetime beyond the request timeout. */
const LOCK_MARGIN_MS = 30_000;

export interface NetvisorCall {
  method: 'GET' | 'POST';
  /** "salesinvoice.nv". */
  resource: string;
  /** Query parameters in order; values are percent-encoded once, here, so the MAC covers the URL as sent. */
  query?: Array<[string, string]>;
  body?: XmlBody;
  write: boolean;
  /** What we are doing, in words: the record's label and the error messages' verb phrase. */
  label: string;
}

/**
 * Percent-encodes everything but the unreserved characters (RFC 3986), so no
 * HTTP client or URL parser re-encodes the string on the way out: the URL the
 * MAC covers is byte for byte the URL Netvisor receives.
 */
export function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `{baseUrl}/{resource}?a=1&b=2`, the base in the form URL parsers print it (lowercase host, no default port). */
export function netvisorUrl(baseUrl: string, resource: string, query: Array<[string, string]> = []): string {
  const base = new URL(baseUrl);
  const root = `${base.origin}${base.pathname}`.replace(/\/+$/, '');
  const qs = query.map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`).join('&');
  return `${root}/${resource}${qs ? `?${qs}` : ''}`;
}

/** The request without its authentication headers (those are made at send time, under the lock). */
export function netvisorRequest(settings: NetvisorSettings, call: NetvisorCall): OutboundRequest {
  const s = withDefaults(settings);
  return {
    method: call.method,
    url: netvisorUrl(s.baseUrl, call.resource, call.query),
    headers: call.body ? { 'Content-Type': call.body.contentType } : {},
    body: call.body?.body,
    write: call.write,
    label: call.label,
    timeoutMs: s.timeoutMs,
    responseType: 'text',
    // Every answer is decoded from its bytes by what it says it is (byte-order mark, XML
    // declaration, Content-Type), whichever encoding the connection writes in.
    decodeText: decodeXmlBytes,
  };
}

export interface NetvisorAnswer {
  status: number;
  parsed: NetvisorResponse;
}

/**
 * Sends one request to Netvisor: under the organisation's lock, with fresh
 * authentication headers (new transaction id, timestamps from ctx.clock), and
 * again with a new transaction id when Netvisor answers REQUEST_NOT_UNIQUE
 * (the reused id means Netvisor refused it, so resending cannot duplicate).
 * Returns Netvisor's parsed answer, OK or FAILED; throws a classified error
 * when the answer is not Netvisor's XML or the transport failed.
 */
export async function callNetvisor(ctx: NetvisorContext, request: OutboundRequest, deps: NetvisorDeps): Promise<NetvisorAnswer> {
  const s = withDefaults(ctx.settings);
  const key = orgLockKey(ctx.redisPrefix, s);
  const lockOptions = {
    ttlMs: s.timeoutMs + LOCK_MARGIN_MS,
    waitMs: 2 * s.timeoutMs + LOCK_MARGIN_MS,
    what: `the Netvisor organisation ${s.organisationId}`,
    sleep: deps.sleep,
  };
  for (let attempt = 0; ; attempt += 1) {
    const response = await withOrgLock(ctx.redis, key, lockOptions, () =>
      ctx.http.send<string>({
        ...request,
        headers: {
          ...(request.headers ?? {}),
          ...netvisorAuthHeaders({ url: request.url, at: ctx.clock(), transactionId: deps.transactionId(), credentials: s }),
        },
      }),
    );
    const text = String(response.data ?? '');
    let parsed: NetvisorResponse;
    try {
      parsed = await parseNetvisorResponse(text);
    } catch (error) {
      if (!(error instanceof NotNetvisorXmlError)) throw error;
      throw nonNetvisorAnswer({
        what: request.label,
        write: request.write,
        connectionLabel: ctx.connection.label,
        status: response.status,
        retryAfterHeader: response.headers['retry-after'],
        now: ctx.clock(),
        problem: error.message,
      });
    }
    if (!parsed.status.ok && parsed.status.code === 'REQUEST_NOT_UNIQUE' && attempt < NOT_UNIQUE_RETRIES) {
      ctx.log.warn({ resource: request.url.split('?')[0] }, 'Netvisor answered REQUEST_NOT_UNIQUE; resending with a new transaction id');
      continue;
    }
    return { status: response.status, parsed };
  }
}

/** Throws Netvisor's failure as a classified error; returns the answer when it is OK. */
export function expectOk(ctx: NetvisorContext, request: OutboundRequest, answer: NetvisorAnswer, extra: { invoiceDate?: string } = {}): NetvisorResponse {
  if (answer.parsed.status.ok) return answer.parsed;
  throw netvisorFailure(answer.parsed.status.code, answer.parsed.status.message, {
    what: request.label,
    write: request.write,
    connectionLabel: ctx.connection.label,
    status: answer.status,
    invoiceDate: extra.invoiceDate,
    now: ctx.clock(),
  });
}

/** callNetvisor + expectOk for the usual case. */
export async function netvisorOk(ctx: NetvisorContext, call: NetvisorCall, deps: NetvisorDeps): Promise<NetvisorResponse> {
  const request = netvisorRequest(ctx.settings, call);
  return expectOk(ctx, request, await callNetvisor(ctx, request, deps));
}
