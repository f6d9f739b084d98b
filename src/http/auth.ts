import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import type { ApiKey, Role } from '../store/api-keys-repo.js';

/** Who is calling: the operator, or an API key of one tenant with roles. */
export type Caller =
  | { kind: 'operator' }
  | {
      kind: 'key';
      keyId: string;
      tenantId: string;
      roles: Role[];
      /**
       * Set when the key was taken from this process's cache without asking the
       * database (requireRoleFromCache): the tenant's configuration version it
       * is valid at, which the route must confirm before it answers.
       */
      unconfirmedVersion?: string;
    };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** What the key checks need: the operator token, and a way to find a valid key by its hash. */
export interface AuthDeps {
  adminToken: string;
  /** Finds a valid key by its hash (the repository, or the cache in front of it). */
  apiKeys: {
    findByHash(hash: string): Promise<ApiKey | null>;
    /** The key as last confirmed in this process and the configuration version it was confirmed at, without asking the database. */
    peek?(hash: string): { key: ApiKey; version: string } | null;
  };
}

const unauthenticated = () =>
  new ApiError(401, 'unauthenticated', 'Send "Authorization: Bearer <api key>" (or the operator token for tenant and key management).');

/** Operator-only routes (tenants, API keys). */
export function requireOperator(deps: AuthDeps) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(request);
    if (!token) throw unauthenticated();
    if (!sameSecret(token, deps.adminToken)) throw new ApiError(403, 'forbidden', 'This route needs the operator token (ADMIN_TOKEN).');
    request.caller = { kind: 'operator' };
  };
}

/** Tenant routes: an API key holding at least one of the roles. */
export function requireRole(deps: AuthDeps, ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(request);
    if (!token) throw unauthenticated();
    const key = await deps.apiKeys.findByHash(hashApiKey(token));
    if (!key) {
      if (sameSecret(token, deps.adminToken)) {
        throw new ApiError(403, 'forbidden', 'The operator token manages tenants and keys; use an API key of the tenant for this route.');
      }
      throw new ApiError(401, 'unauthenticated', 'The API key is not valid (unknown or revoked).');
    }
    if (!key.roles.some((r) => roles.includes(r))) {
      throw new ApiError(403, 'forbidden', `This route needs one of the roles ${roles.join(', ')}; the key has ${key.roles.join(', ')}.`);
    }
    request.caller = { kind: 'key', keyId: key.id, tenantId: key.tenantId, roles: key.roles };
  };
}

/**
 * Like requireRole, but a key this process knows is trusted without asking
 * the database: the caller carries the configuration version it is valid at
 * (`unconfirmedVersion`), and the route confirms that version before it
 * answers (intake: in its write), running requireRole's check when it moved.
 * Unknown keys, and multipart requests (their body is
 * read after this, and is not read for a key that is not valid), are checked
 * as requireRole checks them.
 */
export function requireRoleFromCache(deps: AuthDeps, ...roles: Role[]) {
  const confirmed = requireRole(deps, ...roles);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(request);
    const cached = token && !request.isMultipart() ? deps.apiKeys.peek?.(hashApiKey(token)) : null;
    if (!cached || !cached.key.roles.some((r) => roles.includes(r))) return confirmed(request, reply);
    const { key, version } = cached;
    request.caller = { kind: 'key', keyId: key.id, tenantId: key.tenantId, roles: key.roles, unconfirmedVersion: version };
  };
}

/** The configuration version a key from the cache still has to be confirmed at (requireRoleFromCache); null when confirmed. */
export function unconfirmedVersionOf(request: FastifyRequest): string | null {
  const caller = request.caller;
  return caller?.kind === 'key' ? (caller.unconfirmedVersion ?? null) : null;
}

/** The tenant of the calling key (routes behind requireRole). */
export function tenantOf(request: FastifyRequest): string {
  const caller = request.caller;
  if (caller?.kind !== 'key') throw unauthenticated();
  return caller.tenantId;
}

export function actorOf(request: FastifyRequest): string {
  const caller = request.caller;
  return caller?.kind === 'key' ? `key:${caller.keyId}` : 'operator';
}
