import type { FastifyReply } from 'fastify';
import { html, type Html, type HtmlValue } from './html.js';
import { translator, type Locale, type MessageKey } from './messages.js';
import type { ConsoleUser } from './session.js';

/** The console's sections; each shows only for the roles that may use it. */
const SECTIONS: Array<{ path: string; label: MessageKey; roles: string[] }> = [
  { path: '/console/invoices', label: 'nav.invoices', roles: ['finance'] },
  { path: '/console/billing', label: 'nav.billing', roles: ['finance'] },
  { path: '/console/mappings', label: 'nav.mappings', roles: ['admin'] },
  { path: '/console/connections', label: 'nav.connections', roles: ['admin'] },
  { path: '/console/customers', label: 'nav.customers', roles: ['admin'] },
  { path: '/console/webhook', label: 'nav.webhook', roles: ['admin'] },
];

export function sectionsFor(user: ConsoleUser) {
  return SECTIONS.filter((s) => s.roles.some((r) => (user.roles as string[]).includes(r)));
}

export interface PageOptions {
  title: string;
  user: ConsoleUser | null;
  locale: Locale;
  /** The path of the section the page belongs to (marked in the navigation). */
  section?: string;
  flash?: { kind: 'ok' | 'error'; text: string } | null;
  body: HtmlValue;
  /** Reload the page every so many seconds (an operation in progress). */
  refreshSeconds?: number;
}

/** A hidden CSRF field for a form of a signed-in user. */
export function csrfField(user: ConsoleUser): Html {
  return html`<input type="hidden" name="_csrf" value="${user.csrf}">`;
}

export function layout(options: PageOptions): Html {
  const t = translator(options.locale);
  const user = options.user;
  const nav = user
    ? html`<header class="top">
        <a class="brand" href="/console">${t('app.title')}</a>
        <nav aria-label="${t('app.title')}">${sectionsFor(user).map((s) => html`<a href="${s.path}"${options.section === s.path ? html` aria-current="page"` : ''}>${t(s.label)}</a>`)}</nav>
        <span class="who">${t('nav.signedInAs', { tenant: user.tenantId, roles: user.roles.join(', ') })}</span>
        <form method="post" action="/console/locale">${csrfField(user)}<input type="hidden" name="locale" value="${options.locale === 'fi' ? 'en' : 'fi'}"><button type="submit" lang="${options.locale === 'fi' ? 'en' : 'fi'}">${t('nav.language')}</button></form>
        <form method="post" action="/console/sign-out">${csrfField(user)}<button type="submit">${t('nav.signOut')}</button></form>
      </header>`
    : html`<header class="top"><span class="brand">${t('app.title')}</span></header>`;
  const flash = options.flash ? html`<div class="flash flash-${options.flash.kind}" role="${options.flash.kind === 'error' ? 'alert' : 'status'}">${options.flash.text}</div>` : '';
  return html`<!doctype html>
<html lang="${options.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} · ${t('app.title')}</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t('nav.skip')}</a>
${nav}
<main id="main" tabindex="-1">
${flash}
${options.body}
</main>
</body>
</html>`;
}

/** Sends a page with the console's security headers (nothing but our own files; never cached, never framed). */
export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .send(page.value);
}
