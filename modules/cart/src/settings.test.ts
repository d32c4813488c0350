import { ConfigError } from '@emporium/platform';
import { describe, expect, it } from 'vitest';
import { loadCartSettings } from './settings.ts';

describe('loadCartSettings', () => {
  it('holds stock for 30 minutes unless EMPORIUM_CART_HOLD_MINUTES says otherwise', () => {
    expect(loadCartSettings({})).toEqual({ reservationTtlMs: 30 * 60_000 });
    expect(loadCartSettings({ EMPORIUM_CART_HOLD_MINUTES: '5' })).toEqual({ reservationTtlMs: 5 * 60_000 });
  });

  it.each(['0', '1441', '2.5', 'soon'])('stops on EMPORIUM_CART_HOLD_MINUTES=%s, naming it', (value) => {
    let thrown: unknown;
    try {
      loadCartSettings({ EMPORIUM_CART_HOLD_MINUTES: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      expect.stringMatching(/^EMPORIUM_CART_HOLD_MINUTES must be an integer from 1 to 1440/),
    ]);
  });
});
