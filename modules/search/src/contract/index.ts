export type {
  SearchFacets,
  SearchHit,
  SearchPort,
  SearchQuery,
  SearchResult,
  SearchSort,
} from './search-port.ts';
