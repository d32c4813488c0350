import { StrictObject } from '@emporium/platform';
import { type Static, Type } from 'typebox';
import { Handle, pageQuery, Text } from '../http/common-schemas.ts';

export const CreateCollectionBody = StrictObject({ title: Text(200), handle: Type.Optional(Handle) });
export type CreateCollectionBody = Static<typeof CreateCollectionBody>;

export const UpdateCollectionBody = StrictObject({
  title: Type.Optional(Text(200)),
  handle: Type.Optional(Handle),
});
export type UpdateCollectionBody = Static<typeof UpdateCollectionBody>;

export const ListCollectionsQuery = StrictObject(pageQuery);
export type ListCollectionsQuery = Static<typeof ListCollectionsQuery>;
