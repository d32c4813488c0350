import { describe, expect, it } from 'vitest';
import { assertConsumerName, isEventType } from './event-names.ts';

describe('event type names', () => {
  it.each([
    'catalog.product.updated.v1',
    'payments.payment.captured.v12',
    'inventory.stock_level.changed.v2',
  ])('accepts %s', (type) => {
    expect(isEventType(type)).toBe(true);
  });

  it.each([
    'catalog.product.updated', // no version
    'catalog.product.updated.v0',
    'Catalog.product.updated.v1',
    'catalog.productUpdated.v1',
    'catalog.product.updated.v1.extra',
    'catalog..updated.v1',
    'catalog.product.updated.v1 ',
    'catalog.product.*.v1',
  ])('rejects %s', (type) => {
    expect(isEventType(type)).toBe(false);
  });
});

describe('consumer names', () => {
  it('accepts plain lower-case names and rejects ones unfit for a NATS durable', () => {
    expect(() => assertConsumerName('search-indexer')).not.toThrow();
    expect(() => assertConsumerName('notify_emails')).not.toThrow();
    for (const bad of ['Search', 'a--b', 'a.b', 'a b', '-a', 'a-', '', 'x'.repeat(65)]) {
      expect(() => assertConsumerName(bad)).toThrow(/consumer name/);
    }
  });
});
