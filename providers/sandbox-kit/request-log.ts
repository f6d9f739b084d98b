/** Every request a sandbox received, oldest first, for tests and the demo. */
export class RequestLog {
  private entries: Array<{ method: string; path: string; at: string }> = [];

  add(method: string, path: string): void {
    this.entries.push({ method, path, at: new Date().toISOString() });
    if (this.entries.length > 10_000) this.entries.splice(0, this.entries.length - 10_000);
  }

  list(): Array<{ method: string; path: string; at: string }> {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
