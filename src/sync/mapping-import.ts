import { newId } from '../domain/ids.js';
import { mappingKey, sameMappingContent, type ProductMapping, type ProductMappingInput } from '../domain/products/product-mapping.js';
import type { Repos, Store } from '../store/store.js';
import { toProductMapping } from './resolve-invoice.js';

/** What importing one row does: a new mapping, a changed one, or nothing. */
export interface ImportChange {
  kind: 'create' | 'update' | 'unchanged';
  input: ProductMappingInput;
  before: ProductMapping | null;
}

/** The changes a bulk import would make, against the tenant's mappings as they are now. */
export async function planMappingImport(repos: Repos, tenantId: string, inputs: ProductMappingInput[]): Promise<ImportChange[]> {
  const current = new Map((await repos.mappings.list(tenantId)).map((m) => [mappingKey(toProductMapping(m)), toProductMapping(m)]));
  return inputs.map((input) => {
    const before = current.get(mappingKey(input)) ?? null;
    return { kind: !before ? 'create' : sameMappingContent(before, input) ? 'unchanged' : 'update', input, before };
  });
}

/** A fingerprint of the tenant's mappings, so an import previewed earlier is applied only to what was previewed. */
export async function mappingsFingerprint(repos: Repos, tenantId: string): Promise<string> {
  const list = await repos.mappings.list(tenantId);
  return list
    .map((m) => `${m.id}@${m.updatedAt.getTime()}`)
    .sort()
    .join(',');
}

/**
 * Imports mappings all or nothing, in one transaction. A row that changes
 * nothing is left alone: an export imported back keeps auto-created defaults
 * auto-created (and their updatedAt as it was). With `expectFingerprint`, the
 * import is refused (null) when the mappings changed since that fingerprint.
 */
export async function applyMappingImport(
  store: Store,
  tenantId: string,
  inputs: ProductMappingInput[],
  audit: { actor: string; format: 'csv' | 'json' },
  expectFingerprint?: string,
): Promise<{ created: number; updated: number; unchanged: number } | null> {
  return store.transaction(async (tx) => {
    if (expectFingerprint !== undefined && (await mappingsFingerprint(tx, tenantId)) !== expectFingerprint) return null;
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const change of await planMappingImport(tx, tenantId, inputs)) {
      if (change.kind === 'unchanged') {
        unchanged += 1;
        continue;
      }
      const input = change.input;
      const r = await tx.mappings.upsert(tenantId, { id: `map_${newId()}`, ...input, providerProducts: (input.providerProducts as Record<string, unknown> | null) ?? null, autoCreated: false });
      if (r.created) created += 1;
      else updated += 1;
    }
    await tx.audit.record({ tenantId, actor: audit.actor, action: 'mapping.import', details: { format: audit.format, created, updated, unchanged } });
    return { created, updated, unchanged };
  });
}
