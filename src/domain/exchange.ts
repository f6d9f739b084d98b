/**
 * One request/response pair with a provider, as stored on the attempt
 * (secrets redacted): what finance sees under "what was sent, what came back".
 */
export interface Exchange {
  at: string;
  label: string;
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  responseBody: string | null;
  error: string | null;
}
