import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { hashApiKey } from '../http/auth.js';
import type { Role } from '../store/api-keys-repo.js';
import { ConsoleSessionsRepo, type ConsoleSession } from '../store/console-sessions-repo.js';
import { isLocale, translator, type Locale, type Translate } from './messages.js';

export const SESSION_COOKIE = 'll_console';
/** Before sign-in: the value the sign-in form must echo (double-submit), so no other site can sign a browser in. */
export const PRE_COOKIE = 'll_console_pre';
/** A session lasts a working day; then the person signs in again. */
export const SESSION_HOURS = 12;

/** Who is using the console, for one request. */
export interface ConsoleUser {
  session: ConsoleSession;
  tenantId: string;
  keyId: string;
  roles: Role[];
  locale: Locale;
  t: Translate;
  csrf: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function cookies(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        // a cookie that is not ours
      }
    }
  }
  return out;
}

/** Secure when the browser came over HTTPS (directly, or through a proxy that says so). */
function isHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  return request.protocol === 'https' || (typeof forwarded === 'string' && forwarded.split(',')[0]!.trim() === 'https');
}

export function setCookie(reply: FastifyReply, request: FastifyRequest, name: string, value: string, maxAgeSeconds: number): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (isHttps(request)) parts.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export const newToken = () => randomBytes(32).toString('base64url');

/** Sessions: sign in with an API key, find the session of a request, sign out. */
export class ConsoleSessions {
  private readonly repo: ConsoleSessionsRepo;

  constructor(private readonly deps: Pick<AppDeps, 'store' | 'auth' | 'clock'>) {
    this.repo = new ConsoleSessionsRepo(deps.store.db);
  }

  /** A session for a valid key with a console role; why not otherwise. */
  async signIn(apiKey: string, locale: Locale): Promise<{ ok: true; token: string } | { ok: false; why: 'invalid' | 'host_only' }> {
    const keyHash = hashApiKey(apiKey.trim());
    const key = await this.deps.auth.apiKeys.findByHash(keyHash);
    if (!key) return { ok: false, why: 'invalid' };
    if (!key.roles.some((r) => r === 'finance' || r === 'admin')) return { ok: false, why: 'host_only' };
    const now = this.deps.clock();
    await this.repo.deleteExpired(now);
    const token = newToken();
    await this.repo.insert({
      tokenHash: sha256(token),
      tenantId: key.tenantId,
      keyId: key.id,
      keyHash,
      csrfToken: newToken(),
      locale,
      expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000),
    });
    return { ok: true, token };
  }

  /** The signed-in user of a request: the session must be live and its key still valid (roles read afresh). */
  async userOf(request: FastifyRequest): Promise<ConsoleUser | null> {
    const token = cookies(request)[SESSION_COOKIE];
    if (!token || token.length > 100) return null;
    const session = await this.repo.find(sha256(token), this.deps.clock());
    if (!session) return null;
    const key = await this.deps.auth.apiKeys.findByHash(session.keyHash);
    if (!key || key.tenantId !== session.tenantId) {
      await this.repo.delete(session.tokenHash);
      return null;
    }
    const locale = isLocale(session.locale) ? session.locale : 'fi';
    return { session, tenantId: key.tenantId, keyId: key.id, roles: key.roles, locale, t: translator(locale), csrf: session.csrfToken };
  }

  async setLocale(user: ConsoleUser, locale: Locale): Promise<void> {
    await this.repo.setLocale(user.session.tokenHash, locale);
  }

  async signOut(user: ConsoleUser): Promise<void> {
    await this.repo.delete(user.session.tokenHash);
  }
}
