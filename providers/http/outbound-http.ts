import axios, { type AxiosInstance, type AxiosResponse, type RawAxiosRequestHeaders } from 'axios';
import { guardedAgents, PRIVATE_ADDRESS_CODE } from '../../src/http/guarded-agents.js';
import { checkOutboundUrl, DNS_FAILURE_CODES, type UrlPolicy } from '../../src/http/url-guard.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import { ProviderUnknownOutcomeError } from '../errors/unknown-outcome-error.js';
import { ProviderValidationError } from '../errors/validation-error.js';
import type { Exchange } from '../../src/domain/exchange.js';
import { excerpt, redactHeaders, redactText } from './redact.js';

/** One request/response pair as stored on the attempt (the core's type: the store keeps it). */
export type { Exchange };

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: RawAxiosRequestHeaders;
  /** Body as sent: a string (XML, form) or a JSON value. */
  body?: unknown;
  /**
   * True when the request may change state at the provider. A write that fails
   * after it may have been sent is an unknown outcome, never a plain retry.
   */
  write: boolean;
  /** Short words for the record: "create invoice", "find customer". */
  label: string;
  timeoutMs?: number;
  /** Response body as text instead of parsed JSON (XML APIs). */
  responseType?: 'json' | 'text';
  /** Encoding of a text response (Netvisor may answer ISO-8859-15). */
  responseEncoding?: BufferEncoding | 'latin1';
  /** Turns a text response's bytes into text instead (XML that names its own encoding). */
  decodeText?: (bytes: Buffer, contentType: string | undefined) => string;
  /**
   * Called right before the request is handed to the network — after every
   * wait an adapter does first (a lock, a token, a rate limit) — and again on
   * each resend. The sync engine starts a create's "may have been stored"
   * window here. Throwing stops the request: nothing is sent.
   */
  onSend?: () => Promise<void>;
}

export interface OutboundResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface OutboundHttpOptions {
  /** Provider name as users know it, for messages: "Procountor". */
  providerName: string;
  urlPolicy: UrlPolicy;
  timeoutMs: number;
  /** Literal secret values of this connection, masked in every stored excerpt. */
  secretValues?: readonly string[];
  /** Receives every exchange, successful or not. */
  record?: (exchange: Exchange) => void;
  now?: () => Date;
  /** The largest answer read, in bytes (default 16 MiB); a larger one is refused, not buffered. */
  maxResponseBytes?: number;
  /**
   * Stops every call in flight when aborted (the run lost its lease, or ran out
   * of time); the call then fails with the abort's reason.
   */
  signal?: AbortSignal;
}

/** The default cap on a provider's answer: a Netvisor list of 500 invoices is well under 2 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * The only way adapters talk to a provider. It never throws for an HTTP status
 * (adapters read the provider's own error format); it throws classified
 * ProviderErrors for transport failures, and records every exchange.
 */
export interface OutboundHttp {
  send<T = unknown>(request: OutboundRequest): Promise<OutboundResponse<T>>;
}

/** Failures before a byte left: the connection was refused, or the socket's own DNS lookup failed. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL', ...DNS_FAILURE_CODES]);

export function createOutboundHttp(options: OutboundHttpOptions, client: AxiosInstance = axios.create()): OutboundHttp {
  const now = options.now ?? (() => new Date());
  const secrets = options.secretValues ?? [];
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return {
    async send<T>(request: OutboundRequest): Promise<OutboundResponse<T>> {
      const check = await checkOutboundUrl(request.url, options.urlPolicy);
      if (!check.ok && check.unresolved) {
        // DNS did not answer for the name just now: nothing was sent, and nothing is wrong with the address.
        throw new ProviderTransientError({
          code: 'provider_dns_unresolved',
          message: `The ${options.providerName} address ${redactText(request.url, secrets)}: ${check.reason}, while trying to ${request.label}; ledgerlink will try again.`,
        });
      }
      if (!check.ok) {
        throw new ProviderValidationError({
          code: 'url_not_allowed',
          message: `The ${options.providerName} address ${redactText(request.url, secrets)} ${check.reason}.`,
        });
      }
      const started = now();
      const exchange: Exchange = {
        at: started.toISOString(),
        label: request.label,
        method: request.method,
        url: redactText(request.url, secrets),
        status: null,
        durationMs: 0,
        requestHeaders: redactHeaders({ ...(request.headers ?? {}) }),
        requestBody: excerpt(request.body, secrets),
        responseBody: null,
        error: null,
      };
      if (options.signal?.aborted) throw options.signal.reason;
      await request.onSend?.();
      // The socket timeout restarts with every byte, so a body that trickles in would never time
      // out: this deadline covers the whole exchange, headers and body.
      const deadlineMs = request.timeoutMs ?? options.timeoutMs;
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), deadlineMs);
      let response: AxiosResponse;
      try {
        response = await client.request({
          method: request.method,
          url: request.url,
          headers: request.headers,
          data: request.body,
          timeout: deadlineMs,
          signal: options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal,
          maxContentLength: maxResponseBytes,
          validateStatus: () => true,
          responseType: request.responseType === 'text' ? 'arraybuffer' : 'json',
          transitional: { clarifyTimeoutError: true },
          maxRedirects: 0,
          // Never through HTTP(S)_PROXY: the address guard checks the host actually connected to.
          proxy: false,
          ...guardedAgents(options.urlPolicy, request.url),
        });
      } catch (error) {
        exchange.durationMs = now().getTime() - started.getTime();
        if (options.signal?.aborted) {
          exchange.error = `stopped: ${String((options.signal.reason as Error)?.message ?? options.signal.reason)}`;
          options.record?.(exchange);
          throw options.signal.reason;
        }
        const tooLarge = /maxContentLength/.test((error as Error).message);
        const code = deadline.signal.aborted ? 'ETIMEDOUT' : tooLarge ? 'ERR_TOO_LARGE' : ((error as { code?: string }).code ?? 'UNKNOWN');
        exchange.error = `${code}: ${deadline.signal.aborted ? `no complete answer within ${deadlineMs} ms` : (error as Error).message}`;
        options.record?.(exchange);
        throw transportFailure(options.providerName, request, code, error, maxResponseBytes);
      } finally {
        clearTimeout(timer);
      }
      exchange.durationMs = now().getTime() - started.getTime();
      exchange.status = response.status;
      let data: unknown = response.data;
      if (request.responseType === 'text') {
        const bytes = Buffer.from(response.data as ArrayBuffer);
        const contentType = response.headers?.['content-type'];
        data = request.decodeText ? request.decodeText(bytes, contentType === undefined ? undefined : String(contentType)) : bytes.toString(request.responseEncoding ?? 'utf8');
      }
      exchange.responseBody = excerpt(data, secrets);
      options.record?.(exchange);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
      return { status: response.status, headers, data: data as T };
    },
  };
}

function transportFailure(providerName: string, request: OutboundRequest, code: string, cause: unknown, maxResponseBytes: number) {
  const what = request.label;
  if (code === 'ERR_TOO_LARGE') {
    const size = `${Math.round(maxResponseBytes / 1024 / 1024)} MiB`;
    const options = {
      code: 'provider_answer_too_large',
      message: `${providerName} answered with more than ledgerlink reads (larger than ${size}) while trying to ${what}${request.write ? '; it may have been done. ledgerlink will check before trying again.' : '; ledgerlink will try again.'}`,
      cause,
    };
    return request.write ? new ProviderUnknownOutcomeError(options) : new ProviderTransientError(options);
  }
  if (code === PRIVATE_ADDRESS_CODE) {
    // Refused before connecting: nothing was sent, and a person must fix the address.
    return new ProviderValidationError({ code: 'url_not_allowed', message: `The ${providerName} address ${(cause as Error).message}.`, cause });
  }
  const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
  if (NOT_SENT_CODES.has(code)) {
    return new ProviderTransientError({
      code: 'provider_unreachable',
      message: `${providerName} could not be reached (${code}) while trying to ${what}; ledgerlink will try again.`,
      cause,
    });
  }
  if (request.write) {
    return new ProviderUnknownOutcomeError({
      code: timedOut ? 'provider_timeout' : 'provider_connection_lost',
      message: timedOut
        ? `${providerName} did not answer in time while trying to ${what}; it may have been done. ledgerlink will check before trying again.`
        : `The connection to ${providerName} broke (${code}) while trying to ${what}; it may have been done. ledgerlink will check before trying again.`,
      cause,
    });
  }
  return new ProviderTransientError({
    code: timedOut ? 'provider_timeout' : 'provider_connection_lost',
    message: `${providerName} did not answer (${code}) while trying to ${what}; ledgerlink will try again.`,
    cause,
  });
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds. */
export function retryAfterMs(header: string | undefined, now: Date, fallbackMs: number): number {
  if (!header) return fallbackMs;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  if (Number.isFinite(at)) return Math.max(0, at - now.getTime());
  return fallbackMs;
}
