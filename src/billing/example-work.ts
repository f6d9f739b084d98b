/**
 * The seed example as work (issue 11 point 6), shared by `npm run demo
 * --billing` and the tests: ticket #1296 "Integration of BIM tools", closed,
 * 10.75 h booked by three people across management, testing and development,
 * billed as 12 h (+1:15) at 100.00 EUR/h → 1,200.00 net, VAT 25.5 %, 1,506.00.
 */
export const exampleCustomer = {
  name: 'Esimerkki Oy',
  businessId: '1234567-1',
  customerNumber: '1017',
  email: 'laskut@esimerkki.fi',
  contactPerson: 'Maija M.',
  language: 'fi',
  address: { street: 'Katu 1', postalCode: '00100', city: 'Helsinki', country: 'FI' },
};

export const exampleProject = {
  name: 'Support 2026',
  customerExternalId: 'cust-17',
  kind: 'ongoing',
  managerName: 'Pekka Projektipäällikkö',
  hourlyRate: '100.00',
};

export const exampleTask = {
  projectExternalId: 'proj-3',
  title: 'Integration of BIM tools',
  status: 'in_progress',
  billable: true,
  estimateHours: '12',
  context: { contactId: 'cust-17', teamId: 't-2' },
};

/** 2.5 + 3.25 + 5 = 10.75 h, by three people, in three activities. */
export function exampleEntries(prefix = 'e1296'): Array<Record<string, unknown>> {
  return [
    { externalId: `${prefix}-1`, taskExternalId: '1296', userId: 'u-anna', userName: 'Anna A.', activity: 'management', kind: 'time', date: '2026-11-03', hours: '2.5', stopped: true },
    { externalId: `${prefix}-2`, taskExternalId: '1296', userId: 'u-bert', userName: 'Bert B.', activity: 'testing', kind: 'time', date: '2026-11-12', hours: '3.25', stopped: true },
    { externalId: `${prefix}-3`, taskExternalId: '1296', userId: 'u-cara', userName: 'Cara C.', activity: 'development', kind: 'time', date: '2026-11-20', hours: '5', stopped: true },
  ];
}
