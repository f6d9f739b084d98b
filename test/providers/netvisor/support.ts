import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { netvisorSettingsSchema, type NetvisorSettings } from '../../../providers/netvisor/settings.js';
import type { RunningNetvisorSandbox } from '../../../providers/netvisor/sandbox/netvisor-sandbox.js';
import { MemoryLinkBook, testProviderContext, type TestContext } from '../../support/provider-context.js';

/** ../shared/reference/netvisor, when this checkout has it (tests that read it skip otherwise). */
export const REFERENCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/reference/netvisor');
export const haveReference = existsSync(REFERENCE_DIR);
export const readReference = (path: string) => readFileSync(resolve(REFERENCE_DIR, path), 'utf8');

/** Valid settings for a running sandbox, with a client timeout short enough for held responses to trip it. */
export function sandboxSettings(sandbox: RunningNetvisorSandbox, extra: Record<string, unknown> = {}): NetvisorSettings {
  return netvisorSettingsSchema.parse({ baseUrl: sandbox.url, ...sandbox.credentials, timeoutMs: 1500, ...extra });
}

/** A provider context ("one worker") talking to the sandbox. */
export function sandboxContext(
  redis: Redis,
  prefix: string,
  settings: NetvisorSettings,
  options: { links?: MemoryLinkBook; clock?: () => Date } = {},
): TestContext<NetvisorSettings> {
  return testProviderContext({
    settings,
    redis,
    redisPrefix: prefix,
    providerName: 'Netvisor',
    timeoutMs: settings.timeoutMs,
    links: options.links ?? new MemoryLinkBook(),
    clock: options.clock,
    secretValues: [settings.customerKey, settings.partnerKey],
  });
}

/** Finnish reference number with its 7-3-1 check digit. */
export function finnishReference(base: number): string {
  const digits = String(base).split('').reverse();
  const weights = [7, 3, 1];
  const total = digits.reduce((acc, d, i) => acc + Number(d) * weights[i % 3]!, 0);
  return `${base}${(10 - (total % 10)) % 10}`;
}
