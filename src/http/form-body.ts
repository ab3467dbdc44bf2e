/**
 * Form bodies parsed as Rack parses them, so Barong's Rails and Ruby clients are understood:
 * `metadata[gender]=male` is an object, `scopes[]=a&scopes[]=b` an array. qs (the parser Express
 * uses) does it; its limits throw instead of silently keeping a flattened or truncated field, and a
 * body it refuses is a 400, never a field quietly lost.
 */
import qs from 'qs';
import { AppError } from '../errors.js';

/** Nesting levels of `a[b][c]` a form field may have (Rack allows more; no operation needs them). */
export const FORM_MAX_DEPTH = 10;

export function parseFormBody(body: string): Record<string, unknown> {
  try {
    return qs.parse(body, {
      depth: FORM_MAX_DEPTH,
      strictDepth: true,
      arrayLimit: 100,
      parameterLimit: 1000,
      throwOnLimitExceeded: true,
      allowDots: false,
      charset: 'utf-8',
    });
  } catch {
    throw new AppError('BAD_REQUEST_BODY');
  }
}
