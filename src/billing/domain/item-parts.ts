import type { LineKind } from '../../domain/invoice-document.js';
import { dec, decimalText } from '../../domain/money.js';
import { minutesToHours } from './hours.js';
import type { BillingEntry, ItemPart } from './types.js';

export interface ItemSpec {
  part: ItemPart;
  lineKind: LineKind;
  /** Hours, km or pieces, canonical decimal text. */
  quantity: string;
}

/**
 * The billable lines one entry makes: time → a task_entry line in hours;
 * mileage → a transport_distance line in km and, with travel minutes, a
 * transport_time line in hours; goods and expenses → one line each (an expense
 * without a quantity is one piece).
 */
export function itemSpecsOf(entry: Pick<BillingEntry, 'kind' | 'hours' | 'km' | 'transportMinutes' | 'quantity'>): ItemSpec[] {
  switch (entry.kind) {
    case 'time':
      return [{ part: 'main', lineKind: 'task_entry', quantity: decimalText(entry.hours ?? '0') }];
    case 'mileage': {
      const specs: ItemSpec[] = [];
      if (entry.km && !dec(entry.km).isZero()) specs.push({ part: 'distance', lineKind: 'transport_distance', quantity: decimalText(entry.km) });
      if (entry.transportMinutes) specs.push({ part: 'time', lineKind: 'transport_time', quantity: decimalText(minutesToHours(entry.transportMinutes)) });
      return specs;
    }
    case 'goods':
      return [{ part: 'main', lineKind: 'goods', quantity: decimalText(entry.quantity ?? '1') }];
    case 'expense':
      return [{ part: 'main', lineKind: 'expense', quantity: decimalText(entry.quantity ?? '1') }];
  }
}
