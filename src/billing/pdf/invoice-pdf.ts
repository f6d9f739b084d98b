// pdfkit is loaded when the first PDF is made: ~28 MB a small install that never makes one need not carry.
type PdfKit = typeof import('pdfkit');
let pdfkit: Promise<PdfKit> | null = null;
import { dec } from '../../domain/money.js';
import { formatReferenceNumber } from '../../domain/finnish/reference-number.js';
import { formatIban } from '../domain/iban.js';
import type { Seller } from '../domain/work-schemas.js';
import { labelsFor } from './pdf-labels.js';

/** Everything a printed invoice shows (amounts as decimal strings, already signed for a credit note). */
export interface PdfInvoice {
  type: 'invoice' | 'credit_note';
  number: number;
  invoiceDate: string;
  dueDate: string | null;
  paymentTermDays: number | null;
  referenceNumber: string | null;
  period: { from: string; to: string } | null;
  credited: string | null;
  providerInvoiceNumber: string | null;
  notes: string | null;
  currency: string;
  seller: Seller | null;
  buyer: {
    name: string;
    businessId?: string | null;
    vatNumber?: string | null;
    customerNumber?: string | null;
    contactPerson?: string | null;
    email?: string | null;
    language?: string | null;
    address?: { street?: string | null; postalCode?: string | null; city?: string | null; country?: string | null } | null;
  };
  lines: Array<{ description: string; quantity: string; unit: string; unitPrice: string; vatRate: string; netAmount: string }>;
  vatBreakdown: Array<{ vatRate: string; net: string; vat: string; gross: string }>;
  totals: { net: string; vat: string; gross: string };
}

/** 1506 → "1 506,00" (fi, sv) or "1,506.00" (en). */
export function formatMoney(value: string, locale: 'fi' | 'sv' | 'en'): string {
  const d = dec(value);
  const [whole, cents] = d.abs().toFixed(2).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'en' ? ',' : ' ');
  return `${d.isNegative() ? '-' : ''}${grouped}${locale === 'en' ? '.' : ','}${cents}`;
}

/** A quantity or rate without needless zeros, in the locale's decimal mark: "12", "0,75". */
export function formatNumber(value: string, locale: 'fi' | 'sv' | 'en'): string {
  const text = dec(value).toDecimalPlaces(4).toFixed();
  return locale === 'en' ? text : text.replace('.', ',');
}

/** 2026-11-30 → "30.11.2026" (fi, sv) or "2026-11-30" (en). */
export function formatDay(day: string, locale: 'fi' | 'sv' | 'en'): string {
  if (locale === 'en') return day;
  return `${Number(day.slice(8, 10))}.${Number(day.slice(5, 7))}.${day.slice(0, 4)}`;
}

function addressLines(a: PdfInvoice['buyer']['address']): string[] {
  if (!a) return [];
  return [a.street, [a.postalCode, a.city].filter(Boolean).join(' '), a.country && a.country !== 'FI' ? a.country : null].filter((s): s is string => Boolean(s && s.trim()));
}

function referenceText(ref: string | null): string {
  if (!ref) return '—';
  try {
    return formatReferenceNumber(ref);
  } catch {
    return ref;
  }
}

/**
 * Renders an invoice as a PDF a customer could receive (pdfkit, A4): seller
 * and buyer, number and dates, the lines, VAT per rate, totals, the Finnish
 * reference number and the bank details.
 */
export async function renderInvoicePdf(invoice: PdfInvoice): Promise<Buffer> {
  pdfkit ??= import('pdfkit').then((m) => (m as unknown as { default: PdfKit }).default);
  const PDFDocument = await pdfkit;
  const { labels: L, locale } = labelsFor(invoice.buyer.language);
  const m = (v: string) => formatMoney(v, locale);
  const n = (v: string) => formatNumber(v, locale);
  const day = (v: string) => formatDay(v, locale);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${invoice.type === 'credit_note' ? L.creditNote : L.invoice} ${invoice.number}`, Author: invoice.seller?.name ?? 'ledgerlink' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = 50;
  const right = 545;
  const width = right - left;
  const seller = invoice.seller;

  // Header: seller on the left, the document's title and numbers on the right.
  doc.font('Helvetica-Bold').fontSize(14).text(seller?.name ?? '', left, 50, { width: 280 });
  doc.font('Helvetica').fontSize(9);
  for (const line of [...addressLines(seller?.address ?? null), seller?.businessId ? `${L.businessId} ${seller.businessId}` : null, seller?.vatNumber ? `${L.vatNumber} ${seller.vatNumber}` : null, seller?.email ?? null, seller?.phone ?? null]) {
    if (line) doc.text(line, left, undefined, { width: 280 });
  }
  const title = invoice.type === 'credit_note' ? L.creditNote : L.invoice;
  doc.font('Helvetica-Bold').fontSize(16).text(title, 340, 50, { width: 205, align: 'right' });
  doc.font('Helvetica').fontSize(9);
  const facts: Array<[string, string]> = [
    [L.number, String(invoice.number)],
    [L.date, day(invoice.invoiceDate)],
    ...(invoice.dueDate ? ([[L.dueDate, day(invoice.dueDate)]] as Array<[string, string]>) : []),
    ...(invoice.paymentTermDays !== null ? ([[L.terms, `${invoice.paymentTermDays} ${L.days}`]] as Array<[string, string]>) : []),
    [L.reference, referenceText(invoice.referenceNumber)],
    ...(invoice.period ? ([[L.period, `${day(invoice.period.from)} – ${day(invoice.period.to)}`]] as Array<[string, string]>) : []),
    ...(invoice.credited ? ([[L.credits, invoice.credited]] as Array<[string, string]>) : []),
    ...(invoice.buyer.customerNumber ? ([[L.customerNumber, invoice.buyer.customerNumber]] as Array<[string, string]>) : []),
    ...(invoice.providerInvoiceNumber ? ([[L.accountingNumber, invoice.providerInvoiceNumber]] as Array<[string, string]>) : []),
  ];
  let y = 76;
  for (const [label, value] of facts) {
    doc.text(label, 340, y, { width: 100 });
    doc.text(value, 440, y, { width: 105, align: 'right' });
    y += 13;
  }

  // Buyer.
  y = Math.max(y, doc.y) + 16;
  doc.font('Helvetica-Bold').fontSize(9).text(L.buyer, left, y);
  doc.font('Helvetica').fontSize(10).text(invoice.buyer.name, left, undefined, { width: 280 });
  doc.fontSize(9);
  for (const line of [
    ...addressLines(invoice.buyer.address ?? null),
    invoice.buyer.businessId ? `${L.businessId} ${invoice.buyer.businessId}` : null,
    invoice.buyer.vatNumber ? `${L.vatNumber} ${invoice.buyer.vatNumber}` : null,
    invoice.buyer.contactPerson ? `${L.contact}: ${invoice.buyer.contactPerson}` : null,
    invoice.buyer.email ?? null,
  ]) {
    if (line) doc.text(line, left, undefined, { width: 280 });
  }

  // Lines.
  const cols = [
    { key: 'description', x: left, w: 200, align: 'left' as const },
    { key: 'quantity', x: 252, w: 45, align: 'right' as const },
    { key: 'unit', x: 301, w: 40, align: 'left' as const },
    { key: 'unitPrice', x: 343, w: 60, align: 'right' as const },
    { key: 'vatRate', x: 405, w: 45, align: 'right' as const },
    { key: 'net', x: 452, w: 93, align: 'right' as const },
  ];
  const header = { description: L.description, quantity: L.quantity, unit: L.unit, unitPrice: L.unitPrice, vatRate: L.vatRate, net: L.net } as Record<string, string>;
  const row = (values: Record<string, string>, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const heights = cols.map((c) => doc.heightOfString(values[c.key] ?? '', { width: c.w }));
    const h = Math.max(...heights);
    if (y + h > 770) {
      doc.addPage();
      y = 50;
    }
    for (const c of cols) doc.text(values[c.key] ?? '', c.x, y, { width: c.w, align: c.align });
    y += h + 4;
  };
  y = doc.y + 18;
  row(header, true);
  doc.moveTo(left, y - 2).lineTo(right, y - 2).lineWidth(0.5).stroke();
  y += 2;
  for (const l of invoice.lines) {
    row({ description: l.description, quantity: n(l.quantity), unit: l.unit, unitPrice: m(l.unitPrice), vatRate: n(l.vatRate), net: m(l.netAmount) });
  }
  doc.moveTo(left, y).lineTo(right, y).lineWidth(0.5).stroke();
  y += 8;

  // VAT per rate, then the totals.
  const pair = (label: string, value: string, bold = false) => {
    if (y > 760) {
      doc.addPage();
      y = 50;
    }
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9);
    doc.text(label, 250, y, { width: 200, align: 'left' });
    doc.text(value, 452, y, { width: 93, align: 'right' });
    y += bold ? 16 : 13;
  };
  // VAT per rate: rate, the net it is on, the VAT.
  const vatRow = (rate: string, net: string, vat: string, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    doc.text(rate, 250, y, { width: 110 });
    doc.text(net, 360, y, { width: 90, align: 'right' });
    doc.text(vat, 452, y, { width: 93, align: 'right' });
    y += 13;
  };
  vatRow(L.vatBreakdown, L.net, L.vat, true);
  for (const v of invoice.vatBreakdown) vatRow(`${L.vatRate.replace('%', '').trim()} ${n(v.vatRate)} %`, m(v.net), m(v.vat));
  y += 4;
  pair(L.totalNet, m(invoice.totals.net));
  pair(L.totalVat, m(invoice.totals.vat));
  pair(`${L.total} ${invoice.currency}`, m(invoice.totals.gross), true);

  if (invoice.notes) {
    y += 8;
    doc.font('Helvetica').fontSize(9).text(invoice.notes, left, y, { width });
    y = doc.y;
  }

  // Payment details: what a bank transfer needs.
  y += 18;
  if (y > 700) {
    doc.addPage();
    y = 50;
  }
  doc.moveTo(left, y).lineTo(right, y).lineWidth(0.5).stroke();
  y += 8;
  doc.font('Helvetica-Bold').fontSize(9).text(L.payment, left, y);
  y += 14;
  const payment: Array<[string, string]> = [
    [L.recipient, seller?.name ?? ''],
    [L.iban, seller?.iban ? formatIban(seller.iban) : '—'],
    [L.bic, seller?.bic ?? '—'],
    [L.reference, referenceText(invoice.referenceNumber)],
    ...(invoice.dueDate ? ([[L.dueDate, day(invoice.dueDate)]] as Array<[string, string]>) : []),
    [L.amount, `${m(invoice.totals.gross)} ${invoice.currency}`],
  ];
  doc.font('Helvetica').fontSize(9);
  for (const [label, value] of payment) {
    doc.text(label, left, y, { width: 120 });
    doc.text(value, left + 120, y, { width: 300 });
    y += 13;
  }
  doc.end();
  return done;
}
