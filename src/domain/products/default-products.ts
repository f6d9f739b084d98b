import type { LineKind } from '../invoice-document.js';
import type { MappedProduct, ProductMappingInput } from './product-mapping.js';

/**
 * The products a tenant gets for a line kind when no mapping resolves (issue 5,
 * "Resolution order"): created once as tenant-scoped mappings marked
 * `autoCreated`, after which admins may change them like any other mapping.
 *
 * Codes are upper-case ASCII so they survive every provider's product-code
 * rules (Procountor ≤ 40 characters, Netvisor product identifiers).
 * Work has no price: hours are priced by the line, the task or a mapping.
 */
export const DEFAULT_PRODUCTS: Readonly<Record<LineKind, Readonly<MappedProduct>>> = {
  task_entry: { code: 'WORK', name: 'Work', unit: 'hour', unitPrice: null, vatRate: null },
  goods: { code: 'WORK', name: 'Work', unit: 'hour', unitPrice: null, vatRate: null },
  expense: { code: 'WORK', name: 'Work', unit: 'hour', unitPrice: null, vatRate: null },
  transport_distance: { code: 'TRANSPORT', name: 'Transport', unit: 'km', unitPrice: '5.00', vatRate: null },
  transport_time: { code: 'TRANSPORT_TIME', name: 'Transport Time', unit: 'hour', unitPrice: '1000.00', vatRate: null },
};

/**
 * The mapping to create for a line kind's tenant default. Store it with
 * `autoCreated: true`; its natural key is (tenant, null, lineKind).
 */
export function defaultMappingFor(lineKind: LineKind): ProductMappingInput & { autoCreated: true } {
  return {
    scope: 'tenant',
    scopeId: null,
    lineKind,
    product: { ...DEFAULT_PRODUCTS[lineKind] },
    providerProducts: null,
    autoCreated: true,
  };
}
