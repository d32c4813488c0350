import { Type } from 'typebox';

const Money = Type.Object({
  amount: Type.Integer({ description: 'Minor units.' }),
  currency_code: Type.String({ pattern: '^[a-z]{3}$' }),
});

const Hit = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  price: Money,
  thumbnail: Type.Union([Type.String(), Type.Null()]),
  category_ids: Type.Array(Type.String()),
});

const Facets = Type.Object({
  categories: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      parent_id: Type.Union([Type.String(), Type.Null()]),
      count: Type.Integer(),
    }),
  ),
  options: Type.Array(
    Type.Object({
      title: Type.String(),
      values: Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() })),
    }),
  ),
  price_ranges: Type.Array(
    Type.Object({
      min: Type.Integer(),
      max: Type.Union([Type.Integer(), Type.Null()]),
      count: Type.Integer(),
    }),
  ),
});

/** The body of `GET /store/products` (documentation; the route sends pre-serialised JSON). */
export const ProductListSchema = Type.Object({
  data: Type.Array(Hit),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  facets: Type.Optional(Facets),
  did_you_mean: Type.Optional(
    Type.String({ description: 'Present when `q` matched nothing as typed: the corrected words searched.' }),
  ),
});
