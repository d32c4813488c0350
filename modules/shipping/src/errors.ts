/**
 * Every error code the shipping module answers with besides the platform's own
 * (`validation_failed`, `not_found`, `unauthorized`, `forbidden`); docs/errors.md documents each.
 */
export const shippingErrorCodes = {
  zone_not_found: 'No shipping zone has this id.',
  shipping_option_not_found: 'No shipping option has this id.',
  country_in_another_zone:
    'A country ships through one zone only; the problem names the countries already in another zone.',
} as const;

export type ShippingErrorCode = keyof typeof shippingErrorCodes;
