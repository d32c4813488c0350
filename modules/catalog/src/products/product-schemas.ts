import { StrictObject } from '@emporium/platform';
import { type Static, Type } from 'typebox';
import { Handle, pageQuery, Text } from '../http/common-schemas.ts';

const OptionValue = Type.String({ minLength: 1, maxLength: 64 });

export const Price = StrictObject({
  amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units.' }),
  currency_code: Type.String({ pattern: '^[a-z]{3}$', description: 'ISO 4217, lower case: `usd`.' }),
});

const Prices = Type.Array(Price, { minItems: 1, maxItems: 50 });

const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$' });

const Image = StrictObject({
  url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^(https?://|/)' }),
  alt: Type.String({ maxLength: 500, default: '' }),
  width: Type.Integer({ minimum: 1, maximum: 100_000 }),
  height: Type.Integer({ minimum: 1, maximum: 100_000 }),
});

const ProductOption = StrictObject({
  title: Text(64),
  values: Type.Array(OptionValue, { minItems: 1, maxItems: 100 }),
});

const VariantFields = {
  sku: Sku,
  title: Text(200),
  options: Type.Optional(
    Type.Record(Type.String(), OptionValue, { description: 'Option title → value, one for each option.' }),
  ),
  prices: Prices,
  weight_grams: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000_000 }), Type.Null()])),
  barcode: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
};

export const MAX_VARIANTS = 100;

export const VariantBody = StrictObject(VariantFields);
export type VariantBody = Static<typeof VariantBody>;

export const VariantPatchBody = StrictObject({
  sku: Type.Optional(VariantFields.sku),
  title: Type.Optional(VariantFields.title),
  options: VariantFields.options,
  prices: Type.Optional(Prices),
  weight_grams: VariantFields.weight_grams,
  barcode: VariantFields.barcode,
});
export type VariantPatchBody = Static<typeof VariantPatchBody>;

export const PricesBody = StrictObject({ prices: Prices });

const productFields = {
  title: Text(200),
  handle: Type.Optional(Handle),
  description: Type.Optional(Type.String({ maxLength: 20_000 })),
  attributes: Type.Optional(
    Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
      description: 'Free-form merchant attributes (brand, material, …), stored as a JSON document.',
    }),
  ),
  images: Type.Optional(Type.Array(Image, { maxItems: 50 })),
  category_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  collection_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  options: Type.Optional(Type.Array(ProductOption, { maxItems: 10 })),
};

export const CreateProductBody = StrictObject({
  ...productFields,
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published')])),
  variants: Type.Array(VariantBody, { minItems: 1, maxItems: MAX_VARIANTS }),
});
export type CreateProductBody = Static<typeof CreateProductBody>;

export const UpdateProductBody = StrictObject({
  ...productFields,
  title: Type.Optional(productFields.title),
  status: Type.Optional(
    Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
  ),
  version: Type.Optional(
    Type.Integer({ minimum: 1, description: 'The version last read; the same as sending it in If-Match.' }),
  ),
});
export type UpdateProductBody = Static<typeof UpdateProductBody>;

export const ListProductsQuery = StrictObject({
  status: Type.Optional(
    Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
  ),
  category: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'A category id or handle.' }),
  ),
  collection: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'A collection id or handle.' }),
  ),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the title.' })),
  ...pageQuery,
});
export type ListProductsQuery = Static<typeof ListProductsQuery>;
