export type { CatalogService, VariantForSale } from './catalog-service.ts';
export {
  type CategoryChanged,
  catalogEvents,
  type ProductChanged,
  type SurrogateKeysPurged,
} from './events.ts';
export type {
  CategoryDocument,
  CollectionDocument,
  ProductDocument,
  ProductImage,
  ProductOption,
  ProductStatus,
  VariantDocument,
} from './product.ts';
