import { describe, expect, it } from 'vitest';
import { requestHash } from './checkout-request.ts';

describe('request hash', () => {
  it('is the same for the same body whatever the order of its fields', () => {
    const a = requestHash({ shipping_option_id: 'sho_1', payment: { token: 'tok_1' }, email: 'a@b.co' });
    const b = requestHash({ email: 'a@b.co', payment: { token: 'tok_1' }, shipping_option_id: 'sho_1' });
    expect(a).toBe(b);
  });

  it('differs when anything the shopper asked for differs', () => {
    const a = requestHash({ shipping_option_id: 'sho_1', payment: { token: 'tok_1' } });
    expect(requestHash({ shipping_option_id: 'sho_1', payment: { token: 'tok_2' } })).not.toBe(a);
    expect(requestHash({ shipping_option_id: 'sho_2', payment: { token: 'tok_1' } })).not.toBe(a);
  });
});
