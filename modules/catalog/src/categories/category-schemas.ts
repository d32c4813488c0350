import { StrictObject } from '@emporium/platform';
import { type Static, Type } from 'typebox';
import { Handle, pageQuery, Text } from '../http/common-schemas.ts';

const fields = {
  name: Text(100),
  handle: Type.Optional(Handle),
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  parent_id: Type.Optional(
    Type.Union([Type.String({ maxLength: 64 }), Type.Null()], {
      description: 'null (or absent) for a root.',
    }),
  ),
  rank: Type.Optional(
    Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: 'Order among siblings.' }),
  ),
};

export const CreateCategoryBody = StrictObject(fields);
export type CreateCategoryBody = Static<typeof CreateCategoryBody>;

export const UpdateCategoryBody = StrictObject({ ...fields, name: Type.Optional(fields.name) });
export type UpdateCategoryBody = Static<typeof UpdateCategoryBody>;

export const ListCategoriesQuery = StrictObject({
  parent_id: Type.Optional(Type.String({ maxLength: 64, description: 'Children of this category only.' })),
  ...pageQuery,
});
export type ListCategoriesQuery = Static<typeof ListCategoriesQuery>;
