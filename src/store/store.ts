import type { Database, Queryable } from './database.js';
import { ActionsRepo } from './actions-repo.js';
import { ApiKeysRepo } from './api-keys-repo.js';
import { AttachmentsRepo } from './attachments-repo.js';
import { AttemptsRepo } from './attempts-repo.js';
import { AuditRepo } from './audit-repo.js';
import { ConnectionsRepo } from './connections-repo.js';
import { HistoryRepo } from './history-repo.js';
import { LinksRepo } from './links-repo.js';
import { MappingsRepo } from './mappings-repo.js';
import { RecordsRepo } from './records-repo.js';
import { TenantsRepo } from './tenants-repo.js';
import { WebhooksRepo } from './webhooks-repo.js';

export interface Repos {
  tenants: TenantsRepo;
  apiKeys: ApiKeysRepo;
  connections: ConnectionsRepo;
  records: RecordsRepo;
  attempts: AttemptsRepo;
  attachments: AttachmentsRepo;
  actions: ActionsRepo;
  history: HistoryRepo;
  webhooks: WebhooksRepo;
  links: LinksRepo;
  mappings: MappingsRepo;
  audit: AuditRepo;
}

export function reposFor(q: Queryable): Repos {
  return {
    tenants: new TenantsRepo(q),
    apiKeys: new ApiKeysRepo(q),
    connections: new ConnectionsRepo(q),
    records: new RecordsRepo(q),
    attempts: new AttemptsRepo(q),
    attachments: new AttachmentsRepo(q),
    actions: new ActionsRepo(q),
    history: new HistoryRepo(q),
    webhooks: new WebhooksRepo(q),
    links: new LinksRepo(q),
    mappings: new MappingsRepo(q),
    audit: new AuditRepo(q),
  };
}

/** The database plus its repositories; `transaction` hands out repositories bound to one transaction. */
export class Store {
  readonly repos: Repos;

  constructor(readonly db: Database) {
    this.repos = reposFor(db);
  }

  transaction<T>(fn: (repos: Repos) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(reposFor(tx)));
  }
}
