import { one, type Queryable } from './database.js';

export interface CustomerLink {
  provider: string;
  customerExternalId: string;
  providerCustomerId: string;
  how: 'manual' | 'matched' | 'created';
  updatedAt: Date;
}

/** Links between the host's customers/products and the provider's ids, per tenant and provider. */
export class LinksRepo {
  constructor(private readonly db: Queryable) {}

  async customer(tenantId: string, provider: string, customerExternalId: string): Promise<CustomerLink | null> {
    const row = await one<any>(
      this.db,
      'select * from customer_links where tenant_id = $1 and provider = $2 and customer_external_id = $3',
      [tenantId, provider, customerExternalId],
    );
    return row ? toLink(row) : null;
  }

  async customerAll(tenantId: string, customerExternalId: string): Promise<CustomerLink[]> {
    const rows = await this.db.query<any>(
      'select * from customer_links where tenant_id = $1 and customer_external_id = $2 order by provider',
      [tenantId, customerExternalId],
    );
    return rows.map(toLink);
  }

  async setCustomer(tenantId: string, link: Omit<CustomerLink, 'updatedAt'>): Promise<CustomerLink> {
    const row = await one<any>(
      this.db,
      `insert into customer_links (tenant_id, provider, customer_external_id, provider_customer_id, how)
       values ($1, $2, $3, $4, $5)
       on conflict (tenant_id, provider, customer_external_id)
       do update set provider_customer_id = excluded.provider_customer_id, how = excluded.how, updated_at = now()
       returning *`,
      [tenantId, link.provider, link.customerExternalId, link.providerCustomerId, link.how],
    );
    return toLink(row);
  }

  async deleteCustomer(tenantId: string, provider: string | null, customerExternalId: string): Promise<number> {
    const rows = await this.db.query(
      `delete from customer_links where tenant_id = $1 and customer_external_id = $2 and ($3::text is null or provider = $3) returning provider`,
      [tenantId, customerExternalId, provider],
    );
    return rows.length;
  }

  async product(tenantId: string, provider: string, code: string): Promise<string | null> {
    const row = await one<{ provider_product_id: string }>(
      this.db,
      'select provider_product_id from product_links where tenant_id = $1 and provider = $2 and product_code = $3',
      [tenantId, provider, code],
    );
    return row?.provider_product_id ?? null;
  }

  async setProduct(tenantId: string, provider: string, code: string, providerProductId: string): Promise<void> {
    await this.db.query(
      `insert into product_links (tenant_id, provider, product_code, provider_product_id) values ($1, $2, $3, $4)
       on conflict (tenant_id, provider, product_code) do update set provider_product_id = excluded.provider_product_id`,
      [tenantId, provider, code, providerProductId],
    );
  }
}

function toLink(row: any): CustomerLink {
  return {
    provider: row.provider,
    customerExternalId: row.customer_external_id,
    providerCustomerId: row.provider_customer_id,
    how: row.how,
    updatedAt: row.updated_at,
  };
}
