/**
 * The one base class for thrown errors: bugs, broken invariants, infrastructure failures and
 * authorisation failures. Expected business outcomes are returned, not thrown (STYLE.md §4).
 *
 * `code` is a stable snake_case machine code, `status` the HTTP status the edge answers with,
 * and `detail` a sentence a person can act on. Never put secrets, tokens or card data in any of them.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  /** Extra members for the problem document (for example `errors` for validation). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    status: number,
    detail: string,
    options: { cause?: unknown; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.extensions = Object.freeze({ ...(options.extensions ?? {}) });
  }
}

/** One entry of a validation problem's `errors` list: a JSON pointer and what is wrong there. */
export interface FieldError {
  path: string;
  message: string;
}

export const validationFailed = (detail: string, errors: FieldError[]): AppError =>
  new AppError('validation_failed', 422, detail, { extensions: { errors } });

export const notFound = (what: string): AppError => new AppError('not_found', 404, `${what} was not found.`);

export const conflict = (code: string, detail: string): AppError => new AppError(code, 409, detail);

/** A configuration problem: the process stops with one line naming the setting. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
