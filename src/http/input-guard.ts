import { formatPath } from '../domain/invoice-document.js';

/** Deeper than any document ledgerlink reads (an invoice is about 5 levels); hosts' own fields included. */
export const MAX_INPUT_DEPTH = 32;

/** More problems than anyone reads; the rest are counted in the message, not listed. */
export const MAX_INPUT_PROBLEMS = 100;

export interface InputProblem {
  path: string;
  code: 'invalid_character' | 'too_deep';
  message: string;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a string no column can store, or null. */
function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  // JSON may carry "\ud800" escapes that are not Unicode text: PostgreSQL refuses them in jsonb,
  // and UTF-8 cannot carry them into a text column (they would silently become U+FFFD).
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text: it contains a lone UTF-16 surrogate (such as \\ud800) that no character is made of';
  return null;
}

/** A path part as it can be shown: a key that is itself not valid text has its bad parts replaced. */
function printable(key: PropertyKey): PropertyKey {
  return typeof key === 'string' ? key.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd').replace(/\u0000/g, '\\u0000') : key;
}

/**
 * Finds everything no route can store: the NUL character, which PostgreSQL
 * refuses in text and jsonb; lone UTF-16 surrogates, which are not text at
 * all; and nesting so deep that serialising it overflows the stack. Each
 * used to surface as a 500 from deep inside a route; this names every field
 * instead (up to MAX_INPUT_PROBLEMS). Iterative, so the check itself cannot
 * overflow.
 */
export function unstorableInputs(value: unknown, prefix: ReadonlyArray<PropertyKey> = []): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (path: PropertyKey[], code: InputProblem['code'], message: string) => {
    if (problems.length < MAX_INPUT_PROBLEMS) problems.push({ path: formatPath(path.map(printable)), code, message });
  };
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [...prefix] }];
  while (stack.length && problems.length < MAX_INPUT_PROBLEMS) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) add(path, 'invalid_character', problem);
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (path.length - prefix.length >= MAX_INPUT_DEPTH) {
      add(path, 'too_deep', `is nested more than ${MAX_INPUT_DEPTH} levels deep`);
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const problem = textProblem(key);
      if (problem) {
        add([...path, key], 'invalid_character', `is a field name that ${problem}`);
        continue;
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return problems;
}

/** The first of unstorableInputs, or null. */
export function unstorableInput(value: unknown, prefix: ReadonlyArray<PropertyKey> = []): InputProblem | null {
  return unstorableInputs(value, prefix)[0] ?? null;
}
