/**
 * Redaction of secrets in what we store and log about provider exchanges.
 * Two layers: well-known secret field/header names, and the connection's own
 * secret values, masked wherever they appear (in a URL, a form, an XML body).
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /(secret|password|passwd|token|api[_-]?key|apikey|authorization|mac|customerkey|partnerkey|signature|cookie)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function redactHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name] = isSecretName(name) ? REDACTED : String(value);
  }
  return out;
}

/** Masks secret values anywhere in a text, and `name=value` / `"name": "value"` / `<name>value</name>` secrets. */
export function redactText(text: string, secretValues: readonly string[] = []): string {
  let out = text;
  for (const secret of secretValues) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  // A JSON string value ends at the first quote that is not escaped.
  out = out.replace(/("([A-Za-z_-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g, (whole, head: string, name: string) =>
    isSecretName(name) ? `${head}"${REDACTED}"` : whole,
  );
  out = out.replace(/<((?:[\w.-]+:)?([\w.-]+))(\s[^>]*)?>([^<]*)<\/\1\s*>/g, (whole, tag: string, name: string, attributes: string | undefined) =>
    isSecretName(name) ? `<${tag}${attributes ?? ''}>${REDACTED}</${tag}>` : whole,
  );
  out = out.replace(/(^|[?&])([A-Za-z_-]+)=([^&\s]*)/g, (whole, sep: string, name: string) =>
    isSecretName(name) ? `${sep}${name}=${REDACTED}` : whole,
  );
  return out;
}

/** A bounded excerpt for the attempt record: enough to debug, never a whole payload. */
export function excerpt(body: unknown, secretValues: readonly string[] = [], max = 4000): string | null {
  if (body === undefined || body === null || body === '') return null;
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? bufferText(body) : JSON.stringify(body);
  const redacted = redactText(text, secretValues);
  return redacted.length > max ? `${redacted.slice(0, max)}… (${redacted.length - max} more characters)` : redacted;
}

/** UTF-8 when the bytes are UTF-8, else Latin-1 (Netvisor bodies may be ISO-8859-15). */
function bufferText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}
