-- The product's document (the admin API's ProductDocument) as JSON text, rendered by PostgreSQL
-- from the product, its variants and its links, and rewritten in the transaction of every change
-- (catalog/src/products/product-document.ts). A list page reads 20 of these instead of assembling
-- 20 documents from four tables (≈ 10× less work per page, measured in catalog/README.md).
-- Null until rendered: rows written before this column (or by an older bulk load) are rendered by
-- the catalog's background backfill, and readers fall back to assembling the document meanwhile.
alter table catalog.products add column document text;

-- What the backfill still has to render: empty once it has run, so finding none costs nothing.
create index products_document_missing on catalog.products (id) where document is null;
