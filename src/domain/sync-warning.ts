/** Something the sync did that a finance person should know: stored on the record, shown in preview and events. */
export interface SyncWarning {
  code: string;
  message: string;
  path?: string;
}
