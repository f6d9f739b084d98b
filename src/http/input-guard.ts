import { formatPath } from '../domain/invoice-document.js';

/** Deeper than any document ledgerlink reads (an invoice is about 5 levels); hosts' own fields included. */
export const MAX_INPUT_DEPTH = 32;

export interface InputProblem {
  path: string;
  code: 'invalid_character' | 'too_deep';
  message: string;
}

/**
 * Finds what no route can store: the NUL character, which PostgreSQL refuses in
 * text and jsonb, and nesting so deep that serialising it overflows the stack.
 * Both used to surface as a 500 from deep inside a route; this names the field
 * instead. Iterative, so the check itself cannot overflow.
 */
export function unstorableInput(value: unknown, prefix: ReadonlyArray<PropertyKey> = []): InputProblem | null {
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [...prefix] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return nul(path);
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (path.length - prefix.length >= MAX_INPUT_DEPTH) {
      return { path: formatPath(path), code: 'too_deep', message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      if (key.includes('\u0000')) return nul([...path, key]);
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

function nul(path: PropertyKey[]): InputProblem {
  return { path: formatPath(path), code: 'invalid_character', message: 'must not contain the NUL character (\\u0000)' };
}
