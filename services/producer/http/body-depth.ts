import type { RequestHandler } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';

/** Deepest JSON nesting accepted in a request body. Default 64: far beyond any real chat body or JSON schema. */
export const MAX_BODY_DEPTH = 64;

/** Refuses JSON bodies nested deeper than `maxDepth` with a 400 (`assertBodyDepth`). */
export function bodyDepthLimit(maxDepth = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    try {
      assertBodyDepth(req.body, maxDepth);
    } catch (err) {
      return next(err);
    }
    next();
  };
}

/**
 * Throws a 400 ApiError when `body` is nested deeper than `maxDepth`. JSON.parse
 * copes with any depth, but the recursive code after it (schema validation,
 * JSON.stringify of the stored record) overflows the stack on a few thousand
 * levels and would answer 500. Iterative, so the check itself cannot overflow.
 */
export function assertBodyDepth(body: unknown, maxDepth = MAX_BODY_DEPTH): void {
  if (body === null || typeof body !== 'object') return;
  const stack: [unknown, number][] = [[body, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > maxDepth) throw ApiError.invalid(`request body is nested deeper than ${maxDepth} levels`);
    for (const child of Object.values(value as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}
