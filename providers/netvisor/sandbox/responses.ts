import iconv from 'iconv-lite';
import { Builder } from 'xml2js';

/** A value for xml2js's Builder: text, nested elements, arrays for repeats. */
export type Xml = string | number | null | { [name: string]: Xml | Xml[] | Record<string, string> } | Xml[];

/** Netvisor's own TimeStamp form in answers: "11.4.2015 15:16:30". */
export function netvisorAnswerTime(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCDate()}.${at.getUTCMonth() + 1}.${at.getUTCFullYear()} ${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`;
}

export interface Answer {
  status: number;
  body: Buffer;
  contentType: string;
  headers?: Record<string, string>;
}

function render(root: Record<string, Xml>, encoding: 'utf-8' | 'iso-8859-15'): { body: Buffer; contentType: string } {
  const builder = new Builder({
    xmldec: { version: '1.0', encoding, standalone: true },
    renderOpts: { pretty: true, indent: '  ', newline: '\n' },
  });
  const xml = builder.buildObject({ Root: root });
  return encoding === 'iso-8859-15'
    ? { body: iconv.encode(xml, 'iso-8859-15'), contentType: 'text/xml; charset=iso-8859-15' }
    : { body: Buffer.from(xml, 'utf8'), contentType: 'text/xml; charset=utf-8' };
}

/** `<Root><ResponseStatus><Status>OK</Status><TimeStamp>…</TimeStamp></ResponseStatus>…</Root>`. */
export function okAnswer(content: Record<string, Xml>, now: Date, encoding: 'utf-8' | 'iso-8859-15' = 'utf-8'): Answer {
  return { status: 200, ...render({ ResponseStatus: { Status: 'OK', TimeStamp: netvisorAnswerTime(now) }, ...content }, encoding) };
}

export type FailureCode =
  | 'AUTHENTICATION_FAILED'
  | 'INVALID_DATA'
  | 'INVALID_DATA_SIZE'
  | 'DUPLICATE_DATA'
  | 'REQUEST_NOT_UNIQUE'
  | 'PERIOD_LOCK'
  | 'SERVICE_ACCESS_ERROR'
  | 'SYSTEM_MAINTENANCE'
  | 'TECHNICAL_ERROR';

/**
 * HTTP statuses the sandbox uses when the client asks for them
 * (X-Netvisor-Authentication-UseHTTPResponseStatusCodes: 1); the XML body
 * carries the same verdict either way.
 */
const HTTP_STATUS: Record<FailureCode, number> = {
  AUTHENTICATION_FAILED: 401,
  INVALID_DATA: 400,
  INVALID_DATA_SIZE: 400,
  DUPLICATE_DATA: 400,
  REQUEST_NOT_UNIQUE: 400,
  PERIOD_LOCK: 400,
  SERVICE_ACCESS_ERROR: 403,
  SYSTEM_MAINTENANCE: 503,
  TECHNICAL_ERROR: 500,
};

/** The failure form: two `<Status>` elements, the second "CODE :: message". */
export function failedAnswer(code: FailureCode, message: string, now: Date, useHttpStatus: boolean): Answer {
  const rendered = render({ ResponseStatus: { Status: ['FAILED', `${code} :: ${message}`], TimeStamp: netvisorAnswerTime(now) } }, 'utf-8');
  return { status: useHttpStatus ? HTTP_STATUS[code] : 200, ...rendered };
}

/** `<Replies><InsertedDataIdentifier>8</InsertedDataIdentifier></Replies>`. */
export function insertedAnswer(key: number, now: Date, encoding: 'utf-8' | 'iso-8859-15'): Answer {
  return okAnswer({ Replies: { InsertedDataIdentifier: String(key) } }, now, encoding);
}
