export type { CatalogService, VariantForSale } from './catalog-service.ts';
export {
  type CategoryChanged,
  type CollectionChanged,
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
  StoreProductDocument,
  StoreVariantDocument,
  VariantDocument,
} from './product.ts';
