import { describe, expect, it } from 'vitest';
import type { ProductStatus } from '../contract/index.ts';
import { nextStatus, type StatusAction } from './status-transition.ts';

describe('status transitions', () => {
  it('goes where the action says from every status, and a repeat changes nothing', () => {
    const target: Record<StatusAction, ProductStatus> = {
      publish: 'published',
      unpublish: 'draft',
      archive: 'archived',
    };
    for (const from of ['draft', 'published', 'archived'] as const) {
      for (const action of ['publish', 'unpublish', 'archive'] as const) {
        expect(nextStatus(from, action)).toEqual({
          status: target[action],
          changed: from !== target[action],
        });
      }
    }
  });
});
