import type { ProductStatus } from '../contract/index.ts';

export type StatusAction = 'publish' | 'unpublish' | 'archive';

/**
 * Where a status action takes a product. Every action is allowed from every status and is
 * idempotent: publishing a published product changes nothing (`changed: false`, no new version,
 * no event). Unpublishing an archived product restores it as a draft.
 */
export function nextStatus(
  current: ProductStatus,
  action: StatusAction,
): { status: ProductStatus; changed: boolean } {
  const status: ProductStatus =
    action === 'publish' ? 'published' : action === 'unpublish' ? 'draft' : 'archived';
  return { status, changed: status !== current };
}
