import { ProviderAuthError } from '../errors/auth-error.js';
import { ProviderTransientError } from '../errors/transient-error.js';
import type { OutboundRequest, OutboundResponse } from '../http/outbound-http.js';
import type { ProviderContext } from '../types.js';
import { errorFromResponse, readProcountorErrors } from './errors.js';
import { rateLimitKey, SharedRateLimiter } from './rate-limiter.js';
import type { ProcountorSettings } from './settings.js';
import { SharedTokenCache, tokenKey, type IssuedToken } from './token-cache.js';

export type ProcountorContext = ProviderContext<ProcountorSettings>;

/** A call relative to the connection's base URL. */
export interface ProcountorCall {
  method: OutboundRequest['method'];
  path: string;
  query?: Record<string, string | number | undefined | null>;
  headers?: Record<string, string>;
  body?: unknown;
  write: boolean;
  label: string;
}

/**
 * Everything that reaches Procountor goes through here: one shared rate limit
 * per Procountor client, the shared access token, one fresh token and one
 * retry after a 401, and Procountor's answers turned into classified errors.
 */
export class ProcountorClient {
  private readonly limiter: SharedRateLimiter;
  private readonly tokens: SharedTokenCache;

  constructor(private readonly ctx: ProcountorContext) {
    const s = ctx.settings;
    this.limiter = new SharedRateLimiter({
      redis: ctx.redis,
      key: rateLimitKey(ctx.redisPrefix, s.baseUrl, s.clientId),
      limit: s.requestsPerSecond,
      ...(ctx.maxBudgetWaitMs === undefined ? {} : { maxBudgetWaitMs: ctx.maxBudgetWaitMs }),
    });
    this.tokens = new SharedTokenCache({
      redis: ctx.redis,
      key: tokenKey(ctx.redisPrefix, s.baseUrl, s.clientId, s.apiKey),
      fetch: () => this.requestToken(),
    });
  }

  url(path: string, query: ProcountorCall['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
    }
    const qs = params.toString();
    return `${this.ctx.settings.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  request(call: ProcountorCall): OutboundRequest {
    return {
      method: call.method,
      url: this.url(call.path, call.query),
      headers: {
        Accept: 'application/json',
        ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...call.headers,
      },
      ...(call.body === undefined ? {} : { body: call.body }),
      write: call.write,
      label: call.label,
    };
  }

  /** How long until the shared window has room for another request (0: now); takes no slot. */
  budgetWaitMs(): Promise<number> {
    return this.limiter.waitMs();
  }

  /** Checks the credentials with a new token (never the cached one) and keeps it for the next calls. */
  async verifyCredentials(): Promise<void> {
    await this.tokens.fetchAndStore();
  }

  /**
   * Sends with the shared token. Returns every answer except a 401 that a
   * fresh token did not cure, which becomes a ProviderAuthError naming the
   * connection (the engine then marks it unhealthy).
   */
  async send<T = unknown>(request: OutboundRequest): Promise<OutboundResponse<T>> {
    let token = await this.tokens.get();
    let response = await this.sendWith<T>(request, token);
    if (response.status !== 401) return response;
    this.ctx.log.info({ label: request.label }, 'Procountor refused the access token; fetching a new one and retrying once');
    token = await this.tokens.renew(token);
    response = await this.sendWith<T>(request, token);
    if (response.status === 401) throw errorFromResponse(response, request, this.ctx.connection.label, this.ctx.clock());
    return response;
  }

  /** Sends and returns the body of a 2xx answer; anything else becomes a classified error. */
  async expectOk<T = unknown>(request: OutboundRequest): Promise<T> {
    const response = await this.send<T>(request);
    if (response.status >= 200 && response.status < 300) return response.data;
    throw this.error(response, request);
  }

  /** The classified error for a non-2xx answer to `request`. */
  error(response: OutboundResponse<unknown>, request: OutboundRequest) {
    return errorFromResponse(response, request, this.ctx.connection.label, this.ctx.clock());
  }

  async call<T = unknown>(call: ProcountorCall): Promise<T> {
    return this.expectOk<T>(this.request(call));
  }

  private async sendWith<T>(request: OutboundRequest, token: string): Promise<OutboundResponse<T>> {
    await this.limiter.acquire();
    return this.ctx.http.send<T>({ ...request, headers: { ...request.headers, Authorization: `Bearer ${token}` } });
  }

  /** `POST {base}/oauth/token`, form-encoded client credentials with the API key (M2M). */
  private async requestToken(): Promise<IssuedToken> {
    const s = this.ctx.settings;
    const request: OutboundRequest = {
      method: 'POST',
      url: `${s.baseUrl}/oauth/token`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: s.clientId,
        client_secret: s.clientSecret,
        api_key: s.apiKey,
      }).toString(),
      write: false,
      label: 'get an access token',
    };
    await this.limiter.acquire();
    const response = await this.ctx.http.send<unknown>(request);
    if (response.status >= 200 && response.status < 300) {
      const data = (response.data ?? {}) as { access_token?: unknown; expires_in?: unknown };
      const expires = Number(data.expires_in);
      if (typeof data.access_token !== 'string' || !data.access_token) {
        throw new ProviderTransientError({
          code: 'procountor_token_unreadable',
          message: 'Procountor answered the token request without an access token; ledgerlink will try again.',
          status: response.status,
        });
      }
      return { accessToken: data.access_token, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 3600 };
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw this.credentialsRefused(response);
    }
    throw errorFromResponse(response, request, this.ctx.connection.label, this.ctx.clock());
  }

  /** Says which credentials Procountor refused, as far as its answer tells. */
  private credentialsRefused(response: OutboundResponse<unknown>): ProviderAuthError {
    const label = this.ctx.connection.label;
    const said = readProcountorErrors(response.data)
      .map((e) => e.message)
      .filter(Boolean)
      .join('; ');
    const body = (response.data ?? {}) as { error?: unknown };
    const kind = typeof body.error === 'string' ? body.error : '';
    const mentionsKey = /api[ _-]?key/i.test(said);
    let which: string;
    // Only name a credential when Procountor's answer points at it; otherwise list all three.
    if (kind === 'invalid_client' && !mentionsKey) {
      which = `the client id "${this.ctx.settings.clientId}" and client secret`;
    } else if (mentionsKey) {
      which = 'the API key';
    } else {
      which = 'the client id, client secret or API key';
    }
    const fix =
      which === 'the API key'
        ? 'Check apiKey: a Procountor user creates it for this client id (Procountor: Basics → API client keys), and it stops working when revoked or when the user leaves the company.'
        : which.startsWith('the client id "')
          ? "Check clientId and clientSecret: they are your integration's credentials from Procountor, for the same environment as baseUrl (test or production)."
          : 'Check clientId, clientSecret and apiKey, and that baseUrl points at the Procountor environment (test or production) they belong to.';
    return new ProviderAuthError({
      code: 'procountor_auth',
      message: `Procountor refused ${which} of ${label}. ${fix}${said ? ` (Procountor said: ${said})` : ''}`,
      status: response.status,
    });
  }
}
