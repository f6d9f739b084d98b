import pino, { type Logger } from 'pino';

/**
 * Secrets never reach the logs: auth headers, provider credentials, webhook
 * secrets and tokens are censored wherever they appear in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-netvisor-authentication-mac"]',
  'headers.authorization',
  'headers.Authorization',
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'secret',
  '*.secret',
  '*.*.secret',
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'customerKey',
  '*.customerKey',
  '*.*.customerKey',
  'partnerKey',
  '*.partnerKey',
  '*.*.partnerKey',
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'key',
  '*.key',
  'masterKey',
  'adminToken',
];

/**
 * Errors are logged with their message, code and stack, but never with the
 * request an HTTP client attached to them (axios puts the request's headers —
 * `Authorization: Bearer …` — and body on `config` and `request`).
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (!serialized || typeof serialized !== 'object') return serialized;
  const out = serialized as Record<string, unknown>;
  for (const field of ['config', 'request', 'response']) delete out[field];
  return out;
}

export function createLogger(options: { level: string; pretty?: boolean; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      base: { service: 'ledgerlink' },
    },
    options.destination,
  );
}
