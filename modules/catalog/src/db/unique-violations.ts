import type { AppError } from '@emporium/platform';
import { handleTaken, invalidBody, skuTaken } from '../errors.ts';
import { violatedUnique } from './pg-errors.ts';

/** The value PostgreSQL names in a unique violation's detail: `Key (sku)=(TEE-1) already exists.` */
function duplicateValue(err: unknown): string {
  const detail = (err as { detail?: unknown }).detail;
  const match = typeof detail === 'string' ? /\)=\((.*)\) already exists/.exec(detail) : null;
  return match?.[1] ?? '';
}

/**
 * The answer for a unique violation that a concurrent write caused after our own checks passed
 * (the checks give the same answers earlier, with better paths), or undefined for other errors.
 */
export function fromUniqueViolation(err: unknown): AppError | undefined {
  const constraint = violatedUnique(err);
  switch (constraint) {
    case undefined:
      return undefined;
    case 'products_handle_key':
      return handleTaken('product', duplicateValue(err));
    case 'categories_handle_key':
      return handleTaken('category', duplicateValue(err));
    case 'collections_handle_key':
      return handleTaken('collection', duplicateValue(err));
    case 'variants_sku_key':
      return skuTaken(duplicateValue(err));
    case 'variants_product_options':
      return invalidBody([{ path: '/options', message: 'are those of another variant of this product' }]);
    default:
      return undefined;
  }
}
