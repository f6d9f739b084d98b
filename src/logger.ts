import pino, { type Logger } from 'pino';

/**
 * Secrets never reach the logs: auth headers, provider credentials, webhook
 * secrets and tokens are censored wherever they appear in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-netvisor-authentication-mac"]',
  'headers.authorization',
  'authorization',
  '*.authorization',
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

export function createLogger(options: { level: string; pretty?: boolean; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'ledgerlink' },
    },
    options.destination,
  );
}
