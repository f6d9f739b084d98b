import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import type { Role } from '../store/api-keys-repo.js';
import type { Html } from './html.js';
import type { Locale, MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

/** What every console page module gets from console-routes: the services and the shared request handling. */
export interface ConsoleKit {
  deps: AppDeps;
  /** preHandler: signed in, CSRF on POST, one of the roles (null: any). */
  guard(roles: Role[] | null): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  userOf(request: FastifyRequest): ConsoleUser;
  page(
    reply: FastifyReply,
    user: ConsoleUser,
    title: string,
    body: Html,
    options?: { status?: number; section?: string; flash?: { kind: 'ok' | 'error'; text: string } | null; refreshSeconds?: number },
  ): FastifyReply;
  messagePage(request: FastifyRequest, reply: FastifyReply, status: number, title: MessageKey, text: string): FastifyReply;
  redirect(reply: FastifyReply, location: string): FastifyReply;
}

/** A text field of a form or query, or undefined (anything but a string is not one of ours). */
export function field(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object' || !Object.hasOwn(source, name)) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

export type { Locale };
