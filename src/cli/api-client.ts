/** A failure the CLI reports and exits non-zero with: the API's own message and field problems, or why it could not be reached. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Calls the ledgerlink API with a bearer token; a non-2xx answer becomes a CliError carrying its message. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 60_000,
  ) {}

  async call(method: string, path: string, body?: unknown, tokenKind = 'LEDGERLINK_API_KEY'): Promise<{ status: number; body: any }> {
    if (!this.token) throw new CliError(`${tokenKind} is not set: export it before running this command.`, 2);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CliError(`Could not reach ledgerlink at ${this.baseUrl} (${(error as Error).message}); set LEDGERLINK_URL.`, 1);
    }
    const text = await response.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    if (!response.ok) {
      const err = parsed?.error;
      const details = Array.isArray(err?.details) ? err.details.map((d: { path?: string; message?: string }) => `\n  ${d.path ?? ''}: ${d.message ?? ''}`).join('') : '';
      throw new CliError(`${method} ${path} failed (HTTP ${response.status}${err?.code ? `, ${err.code}` : ''}): ${err?.message ?? text}${details}`, 1, parsed);
    }
    return { status: response.status, body: parsed };
  }
}
