import type { Harness } from '../support/harness.js';

/**
 * A browser-like client of the console over Fastify inject(): keeps cookies
 * (as a browser would, by name), reads the CSRF token off the page it is on,
 * and posts forms urlencoded.
 */
export class ConsoleClient {
  readonly jar = new Map<string, string>();
  last = '';

  constructor(private readonly h: Harness) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(setCookie: unknown): void {
    const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    for (const line of list as string[]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async get(url: string) {
    const response = await this.h.runtime.app!.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.keep(response.headers['set-cookie']);
    if (response.headers['content-type']?.toString().startsWith('text/html')) this.last = response.body;
    return response;
  }

  /** The CSRF token of the page last fetched. */
  csrf(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.last);
    if (!match) throw new Error(`no CSRF field on the page: ${this.last.slice(0, 400)}`);
    return match[1]!;
  }

  async post(url: string, form: Record<string, string>, options: { withCsrf?: boolean } = {}) {
    const body = new URLSearchParams({ ...(options.withCsrf === false ? {} : { _csrf: this.csrf() }), ...form }).toString();
    const response = await this.h.runtime.app!.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    this.keep(response.headers['set-cookie']);
    if (response.headers['content-type']?.toString().startsWith('text/html')) this.last = response.body;
    return response;
  }

  async signIn(key: string) {
    await this.get('/console/sign-in');
    const response = await this.post('/console/sign-in', { key });
    if (response.statusCode !== 303) throw new Error(`sign-in: ${response.statusCode} ${response.body.slice(0, 300)}`);
    return response;
  }
}

/** The visible text of a page, roughly (tags removed, entities for spaces decoded, whitespace collapsed). */
export function textOf(page: string): string {
  return page
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}
