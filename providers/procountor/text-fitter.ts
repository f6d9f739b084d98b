import type { SyncWarning } from '../types.js';
import { toWindows1252 } from './windows-1252.js';

export interface TextField {
  /** Our document path the text came from, e.g. "lines[0].description". */
  path: string;
  /** Procountor's maxLength for the field (openapi.yaml), when it has one. */
  max?: number;
  /** Keeps line breaks (notes, additional information, row comments). */
  multiline?: boolean;
}

/**
 * Makes text fit Procountor: Windows-1252 only, within each field's length.
 * Every change becomes a warning on the sync record naming our field, so a
 * finance person sees why the invoice reads differently from the source.
 */
export class TextFitter {
  readonly warnings: SyncWarning[] = [];
  private readonly seen = new Set<string>();

  /** Returns the fitted text, or undefined for an absent or blank value. */
  fit(value: string | null | undefined, field: TextField): string | undefined {
    if (value === null || value === undefined) return undefined;
    const normalised = field.multiline ? value.replace(/\r\n?/g, '\n') : value;
    const cleaned = toWindows1252(normalised, { multiline: field.multiline });
    let text = cleaned.text.trim();
    if (cleaned.changes.length > 0) {
      this.add({
        code: 'text_cleaned',
        path: field.path,
        message: `Procountor only accepts Windows-1252 characters, so ${field.path} was changed: ${cleaned.changes.slice(0, 5).join(', ')}${
          cleaned.changes.length > 5 ? ` and ${cleaned.changes.length - 5} more` : ''
        }.`,
      });
    }
    if (field.max !== undefined && text.length > field.max) {
      const given = text.length;
      text = text.slice(0, field.max).trimEnd();
      this.add({
        code: 'text_truncated',
        path: field.path,
        message: `Procountor allows at most ${field.max} characters here, so ${field.path} was cut from ${given} to ${text.length} characters.`,
      });
    }
    return text === '' ? undefined : text;
  }

  private add(warning: SyncWarning): void {
    const key = `${warning.code}|${warning.path}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.warnings.push(warning);
  }
}
