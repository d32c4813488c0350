import { StrictObject } from '@emporium/platform';
import { Type } from 'typebox';

const line = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
const optional = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

/** API.md's address. `country_code` is checked against ISO 3166-1 alpha-2 after the shape. */
export const AddressSchema = StrictObject({
  first_name: line(100),
  last_name: line(100),
  line1: line(200),
  line2: optional(200),
  city: line(100),
  postal_code: line(20),
  region: optional(100),
  country_code: Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 3166-1 alpha-2, lower-case.' }),
  phone: Type.Optional(Type.Union([Type.String({ maxLength: 30, pattern: '^[0-9 +().-]*$' }), Type.Null()])),
});

export const Email = Type.String({ format: 'email', maxLength: 254 });
const NullableAddress = Type.Union([AddressSchema, Type.Null()]);

export const CartParams = StrictObject({ id: Type.String({ maxLength: 64 }) });
export const ItemParams = StrictObject({
  id: Type.String({ maxLength: 64 }),
  item_id: Type.String({ maxLength: 64 }),
});

export const Quantity = Type.Integer({ minimum: 1, maximum: 999, description: 'Units, 1–999.' });

export const CreateCartBody = StrictObject({
  currency_code: Type.Optional(
    Type.String({ pattern: '^[a-z]{3}$', description: 'ISO 4217; default the store currency.' }),
  ),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  shipping_address: Type.Optional(NullableAddress),
  billing_address: Type.Optional(NullableAddress),
});

export const UpdateCartBody = StrictObject({
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  shipping_address: Type.Optional(NullableAddress),
  billing_address: Type.Optional(NullableAddress),
  shipping_option_id: Type.Optional(
    Type.Union([Type.String({ pattern: '^sho_[0-9a-z]{26}$' }), Type.Null()], {
      description: 'An option from `GET /store/carts/{id}/shipping-options`; null clears it.',
    }),
  ),
});

export const AddItemBody = StrictObject({
  variant_id: Type.String({ minLength: 1, maxLength: 64 }),
  quantity: Quantity,
});

export const ChangeItemBody = StrictObject({ quantity: Quantity });

export const TaxRegionBody = StrictObject({
  country_code: Type.String({ pattern: '^[a-z]{2}$' }),
  region: Type.Optional(
    Type.Union([
      Type.String({
        maxLength: 100,
        pattern: '^[a-z0-9 -]*$',
        description: 'Lower-case region code; empty or null for the whole country.',
      }),
      Type.Null(),
    ]),
  ),
  name: line(100),
  rate_bp: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Basis points: 2000 = 20 %.' }),
  inclusive: Type.Boolean({ description: 'True when catalog prices already include this tax (VAT).' }),
});

export const TaxRegionPatch = StrictObject({
  name: Type.Optional(line(100)),
  rate_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  inclusive: Type.Optional(Type.Boolean()),
});

export const ClaimCartBody = StrictObject({
  secret: Type.String({
    pattern: '^cs_[A-Za-z0-9_-]+$',
    maxLength: 100,
    description: 'The secret `POST /store/carts` answered for this cart.',
  }),
});
