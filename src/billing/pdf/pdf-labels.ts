/** The words on a printed invoice, in the customer's language (Finnish, Swedish, else English). */
export interface PdfLabels {
  invoice: string;
  creditNote: string;
  seller: string;
  buyer: string;
  number: string;
  date: string;
  dueDate: string;
  terms: string;
  days: string;
  reference: string;
  period: string;
  credits: string;
  customerNumber: string;
  contact: string;
  businessId: string;
  vatNumber: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  vatRate: string;
  net: string;
  vat: string;
  gross: string;
  vatBreakdown: string;
  totalNet: string;
  totalVat: string;
  total: string;
  payment: string;
  iban: string;
  bic: string;
  recipient: string;
  amount: string;
  accountingNumber: string;
  page: string;
}

const fi: PdfLabels = {
  invoice: 'LASKU',
  creditNote: 'HYVITYSLASKU',
  seller: 'Myyjä',
  buyer: 'Ostaja',
  number: 'Laskun numero',
  date: 'Laskun päivämäärä',
  dueDate: 'Eräpäivä',
  terms: 'Maksuehto',
  days: 'päivää netto',
  reference: 'Viitenumero',
  period: 'Laskutuskausi',
  credits: 'Hyvitettävä lasku',
  customerNumber: 'Asiakasnumero',
  contact: 'Yhteyshenkilö',
  businessId: 'Y-tunnus',
  vatNumber: 'ALV-numero',
  description: 'Kuvaus',
  quantity: 'Määrä',
  unit: 'Yks.',
  unitPrice: 'À-hinta',
  vatRate: 'ALV %',
  net: 'Veroton',
  vat: 'ALV',
  gross: 'Verollinen',
  vatBreakdown: 'Arvonlisävero',
  totalNet: 'Veroton yhteensä',
  totalVat: 'Arvonlisävero yhteensä',
  total: 'Maksettava yhteensä',
  payment: 'Maksutiedot',
  iban: 'Tilinumero (IBAN)',
  bic: 'BIC',
  recipient: 'Saaja',
  amount: 'Summa',
  accountingNumber: 'Numero kirjanpidossa',
  page: 'Sivu',
};

const sv: PdfLabels = {
  invoice: 'FAKTURA',
  creditNote: 'KREDITFAKTURA',
  seller: 'Säljare',
  buyer: 'Köpare',
  number: 'Fakturanummer',
  date: 'Fakturadatum',
  dueDate: 'Förfallodag',
  terms: 'Betalningsvillkor',
  days: 'dagar netto',
  reference: 'Referensnummer',
  period: 'Faktureringsperiod',
  credits: 'Krediterad faktura',
  customerNumber: 'Kundnummer',
  contact: 'Kontaktperson',
  businessId: 'FO-nummer',
  vatNumber: 'Momsnummer',
  description: 'Beskrivning',
  quantity: 'Antal',
  unit: 'Enh.',
  unitPrice: 'À-pris',
  vatRate: 'Moms %',
  net: 'Netto',
  vat: 'Moms',
  gross: 'Brutto',
  vatBreakdown: 'Mervärdesskatt',
  totalNet: 'Netto totalt',
  totalVat: 'Moms totalt',
  total: 'Att betala',
  payment: 'Betalningsuppgifter',
  iban: 'Kontonummer (IBAN)',
  bic: 'BIC',
  recipient: 'Mottagare',
  amount: 'Belopp',
  accountingNumber: 'Nummer i bokföringen',
  page: 'Sida',
};

const en: PdfLabels = {
  invoice: 'INVOICE',
  creditNote: 'CREDIT NOTE',
  seller: 'Seller',
  buyer: 'Bill to',
  number: 'Invoice number',
  date: 'Invoice date',
  dueDate: 'Due date',
  terms: 'Payment terms',
  days: 'days net',
  reference: 'Reference number',
  period: 'Billing period',
  credits: 'Credits invoice',
  customerNumber: 'Customer number',
  contact: 'Contact',
  businessId: 'Business ID',
  vatNumber: 'VAT number',
  description: 'Description',
  quantity: 'Qty',
  unit: 'Unit',
  unitPrice: 'Unit price',
  vatRate: 'VAT %',
  net: 'Net',
  vat: 'VAT',
  gross: 'Gross',
  vatBreakdown: 'VAT',
  totalNet: 'Total excl. VAT',
  totalVat: 'Total VAT',
  total: 'Total to pay',
  payment: 'Payment details',
  iban: 'IBAN',
  bic: 'BIC',
  recipient: 'Payee',
  amount: 'Amount',
  accountingNumber: 'Number in accounting',
  page: 'Page',
};

export function labelsFor(language: string | null | undefined): { labels: PdfLabels; locale: 'fi' | 'sv' | 'en' } {
  if (language === 'fi') return { labels: fi, locale: 'fi' };
  if (language === 'sv') return { labels: sv, locale: 'sv' };
  return { labels: en, locale: 'en' };
}
