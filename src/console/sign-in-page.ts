import { html } from './html.js';
import { layout } from './layout.js';
import { translator, type Locale } from './messages.js';

/** The sign-in form: one field, the API key (a password field, so it is not shown or remembered as text). */
export function signInPage(options: { locale: Locale; preToken: string; message?: { kind: 'ok' | 'error'; text: string } | null }) {
  const t = translator(options.locale);
  return layout({
    title: t('signIn.title'),
    user: null,
    locale: options.locale,
    flash: options.message ?? null,
    body: html`<div class="signin card">
  <h1>${t('signIn.title')}</h1>
  <form method="post" action="/console/sign-in">
    <input type="hidden" name="_csrf" value="${options.preToken}">
    <input type="hidden" name="locale" value="${options.locale}">
    <label for="key">${t('signIn.key')}</label>
    <input id="key" name="key" type="password" autocomplete="off" required autofocus aria-describedby="key-help">
    <p id="key-help" class="muted small">${t('signIn.keyHelp')}</p>
    <button type="submit">${t('signIn.submit')}</button>
  </form>
  <p class="small"><a href="/console/sign-in?lang=${options.locale === 'fi' ? 'en' : 'fi'}" lang="${options.locale === 'fi' ? 'en' : 'fi'}">${t('nav.language')}</a></p>
</div>`,
  });
}
