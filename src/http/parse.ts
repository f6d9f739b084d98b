import type { z } from 'zod';
import { problemsFromZod } from '../domain/invoice-document.js';
import { ApiError } from './api-error.js';

/** Parses input with a zod schema or throws a 400 naming every bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, prefix: PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw ApiError.badInput(problemsFromZod(result.error, prefix));
}
