import { describe, expect, it } from 'vitest';
import { groupOptions } from './products-route.ts';

describe('groupOptions', () => {
  it('groups Title:Value pairs by title, splitting at the first colon', () => {
    expect(groupOptions(['Size:M', 'Colour:Navy', 'Size:L', 'Size:M', 'Fit:Slim:Tall'])).toEqual({
      Size: ['M', 'L'],
      Colour: ['Navy'],
      Fit: ['Slim:Tall'],
    });
  });
});
