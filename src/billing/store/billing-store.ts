import type { Database, Queryable } from '../../store/database.js';
import { reposFor, type Repos } from '../../store/store.js';
import { DraftsRepo } from './drafts-repo.js';
import { EntriesRepo } from './entries-repo.js';
import { InvoicesRepo } from './invoices-repo.js';
import { ItemsRepo } from './items-repo.js';
import { OperationsRepo } from './operations-repo.js';
import { SettingsRepo } from './settings-repo.js';
import { TimesheetsRepo } from './timesheets-repo.js';
import { WorkRepo } from './work-repo.js';

export interface BillingRepos {
  work: WorkRepo;
  entries: EntriesRepo;
  items: ItemsRepo;
  drafts: DraftsRepo;
  invoices: InvoicesRepo;
  operations: OperationsRepo;
  settings: SettingsRepo;
  timesheets: TimesheetsRepo;
  /** The core repositories on the same connection (mappings, audit, records). */
  core: Repos;
}

export function billingReposFor(q: Queryable): BillingRepos {
  return {
    work: new WorkRepo(q),
    entries: new EntriesRepo(q),
    items: new ItemsRepo(q),
    drafts: new DraftsRepo(q),
    invoices: new InvoicesRepo(q),
    operations: new OperationsRepo(q),
    settings: new SettingsRepo(q),
    timesheets: new TimesheetsRepo(q),
    core: reposFor(q),
  };
}

/** The billing area's persistence: its repositories, and transactions that bind them (and the core's) to one connection. */
export class BillingStore {
  readonly repos: BillingRepos;

  constructor(readonly db: Database) {
    this.repos = billingReposFor(db);
  }

  /**
   * Runs `fn` in one transaction. Writers take drafts before entries, but two
   * of them can still meet the other way round (an entry edit and a release of
   * its draft); PostgreSQL then aborts one, and it is simply run again.
   */
  async transaction<T>(fn: (repos: BillingRepos) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((tx) => fn(billingReposFor(tx)));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= 4 || (code !== '40P01' && code !== '40001')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
      }
    }
  }
}
