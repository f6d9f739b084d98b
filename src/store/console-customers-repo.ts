import type { Queryable } from './database.js';
import type { CustomerLink } from './links-repo.js';

export interface HostCustomer {
  externalId: string;
  name: string | null;
  businessId: string | null;
  invoices: number;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The host's customers as ledgerlink has seen them (in invoices, or linked by an admin), for the console. */
export class ConsoleCustomersRepo {
  constructor(private readonly db: Queryable) {}

  async list(tenantId: string, text: string | undefined, limit: number): Promise<HostCustomer[]> {
    const params: unknown[] = [tenantId];
    let filter = '';
    if (text) {
      params.push(`%${escapeLike(text)}%`);
      filter = `where c.external_id ilike $2 or c.name ilike $2 or c.business_id ilike $2`;
    }
    params.push(limit);
    const rows = await this.db.query<any>(
      `with seen as (
         select document->'customer'->>'externalId' as external_id, max(document->'customer'->>'name') as name,
                max(document->'customer'->>'businessId') as business_id, count(*)::int as invoices
           from sync_records where tenant_id = $1 and document->'customer'->>'externalId' is not null group by 1
         union all
         select customer_external_id, null, null, 0 from customer_links where tenant_id = $1
       ), c as (
         select external_id, max(name) as name, max(business_id) as business_id, sum(invoices)::int as invoices from seen group by external_id
       )
       select * from c ${filter} order by coalesce(c.name, c.external_id), c.external_id limit $${params.length}`,
      params,
    );
    return rows.map((r) => ({ externalId: r.external_id, name: r.name, businessId: r.business_id, invoices: Number(r.invoices) }));
  }

  /** The links of these customers, every provider. */
  async links(tenantId: string, customerExternalIds: string[]): Promise<CustomerLink[]> {
    if (!customerExternalIds.length) return [];
    const rows = await this.db.query<any>('select * from customer_links where tenant_id = $1 and customer_external_id = any($2)', [tenantId, customerExternalIds]);
    return rows.map((r) => ({ provider: r.provider, customerExternalId: r.customer_external_id, providerCustomerId: r.provider_customer_id, how: r.how, updatedAt: r.updated_at }));
  }
}
