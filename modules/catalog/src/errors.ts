import { AppError, type FieldError } from '@emporium/platform';

/**
 * Every error code the catalog answers with besides the platform's own (`validation_failed`,
 * `not_found`, `unauthorized`, `forbidden`). docs/errors.md documents each.
 */
export const catalogErrorCodes = {
  handle_taken: 'Another product, category or collection already uses this handle.',
  sku_taken: 'Another variant already uses this SKU.',
  version_conflict:
    'The resource changed since the version sent in `If-Match` or `version`; read it again and reapply the change.',
  category_cycle: 'The new parent is the category itself or one of its descendants.',
  category_not_empty: 'The category still has subcategories or products; move them first.',
  collection_not_empty: 'The collection still holds products; remove them first.',
  last_variant: 'A product keeps at least one variant; archive the product instead.',
} as const;

export type CatalogErrorCode = keyof typeof catalogErrorCodes;

export const handleTaken = (kind: 'product' | 'category' | 'collection', handle: string): AppError =>
  new AppError('handle_taken', 409, `Another ${kind} already uses the handle "${handle}"; choose another.`);

export const skuTaken = (sku: string): AppError =>
  new AppError('sku_taken', 409, `The SKU "${sku}" is already used by another variant; SKUs must be unique.`);

export const versionConflict = (current: number, sent: number): AppError =>
  new AppError(
    'version_conflict',
    409,
    `This product was changed by someone else (you sent version ${sent}, it is now at version ${current}); reload it and apply your change again.`,
    { extensions: { current_version: current } },
  );

export const categoryCycle = (): AppError =>
  new AppError(
    'category_cycle',
    422,
    'A category cannot be moved under itself or one of its subcategories.',
    {
      extensions: {
        errors: [{ path: '/parent_id', message: 'is the category itself or one of its descendants' }],
      },
    },
  );

export const categoryNotEmpty = (hasSubcategories: boolean, hasProducts: boolean): AppError => {
  const what = [hasSubcategories ? 'subcategories' : '', hasProducts ? 'products' : '']
    .filter(Boolean)
    .join(' and ');
  return new AppError(
    'category_not_empty',
    409,
    `This category still has ${what}; move them elsewhere first.`,
  );
};

export const collectionNotEmpty = (): AppError =>
  new AppError(
    'collection_not_empty',
    409,
    'This collection still holds products; remove them from it first.',
  );

export const lastVariant = (): AppError =>
  new AppError('last_variant', 409, 'A product needs at least one variant; archive the product instead.');

/** A 422 listing the body fields that break a catalog rule (option consistency, unknown ids, …). */
export const invalidBody = (errors: FieldError[]): AppError => {
  const first = errors
    .slice(0, 3)
    .map((e) => `${e.path} ${e.message}`)
    .join('; ');
  return new AppError('validation_failed', 422, `The request body is invalid: ${first}.`, {
    extensions: { errors },
  });
};

/** A 400 for a query string, path or header value the schema cannot check (a cursor, If-Match). */
export const invalidRequest = (path: string, message: string, part = 'query string'): AppError =>
  new AppError('validation_failed', 400, `The ${part} is invalid: ${path} ${message}.`, {
    extensions: { errors: [{ path, message }] },
  });
