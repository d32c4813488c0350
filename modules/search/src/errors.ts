import { AppError } from '@emporium/platform';

/**
 * Every public error code the search module answers with, beyond the platform's own
 * (`validation_failed` for a bad query string). Documented in docs/errors.md.
 */
export const searchErrorCodes = {
  invalid_cursor:
    'The `cursor` was not issued for this listing (wrong sort, edited or corrupted); start again from the first page.',
} as const;

export type SearchErrorCode = keyof typeof searchErrorCodes;

export const invalidCursor = (): AppError =>
  new AppError(
    'invalid_cursor',
    400,
    'The cursor is not valid for this listing. Start again from the first page without a cursor.',
  );
