import { z } from 'zod';

/**
 * The environment, validated once at start. A bad value stops the process with
 * one line that names the variable and says what is wrong.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  /** REDIS_URL is one node of a Redis Cluster (QUEUE_PREFIX must then be in braces). */
  REDIS_CLUSTER: bool.default(false),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional().or(z.literal('').transform(() => undefined)),
  MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  ALLOW_PRIVATE_URLS: bool.default(false),
  /**
   * Origins allowed even though they are private, outside production: the
   * bundled sandboxes, so `npm run demo` works without ALLOW_PRIVATE_URLS.
   */
  SANDBOX_ORIGINS: z.string().default('http://127.0.0.1:4010,http://127.0.0.1:4011,http://127.0.0.1:4012'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // In braces ({ledgerlink}) every key shares one Redis Cluster hash slot, which BullMQ needs there.
  QUEUE_PREFIX: z
    .string()
    .regex(/^(\{[A-Za-z0-9_-]+\}|[A-Za-z0-9_-]+)$/, 'may hold letters, digits, "_" and "-", optionally all in braces ({ledgerlink}) for a Redis Cluster')
    .default('ledgerlink'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** How long a worker's claim on a record lasts without renewal (renewed every third of it while it works). */
  SYNC_LEASE_MS: z.coerce.number().int().min(3000, 'must be at least 3000').max(600_000, 'must be at most 600000').default(12_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
});

export type Config = z.output<typeof configSchema> & {
  /** Origins the URL guard lets through although private. */
  allowedOrigins: string[];
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])} ${issue.message}`);
  }
  const config = result.data;
  if (config.REDIS_CLUSTER && !/^\{.+\}$/.test(config.QUEUE_PREFIX)) {
    throw new ConfigError(`QUEUE_PREFIX must be in braces with REDIS_CLUSTER=true (e.g. {${config.QUEUE_PREFIX}}): BullMQ needs every key in one hash slot`);
  }
  const allowedOrigins =
    config.NODE_ENV === 'production' ? [] : config.SANDBOX_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  return { ...config, allowedOrigins };
}
