export { createHttpApi, type HttpApiOptions } from './api/http-api.ts';
export { createInProcessApi } from './api/in-process-api.ts';
export type { ApiRequest, ApiResponse, StoreApi } from './api/store-api.ts';
export { loadStorefrontConfig, type StorefrontConfig } from './config.ts';
export { escapeHtml, Html, html, raw } from './html/html.ts';
export { createStorefront, type StorefrontOptions } from './storefront.ts';
