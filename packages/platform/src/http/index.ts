export { createHttpApp, type HttpAppOptions } from './create-http-app.ts';
export {
  type CloseOptions,
  type CloseResult,
  closeGracefully,
  installSignalHandlers,
  isShuttingDown,
  type SignalHandlerOptions,
} from './graceful-shutdown.ts';
export type { HttpApp } from './http-app.ts';
export type { OpenApiInfo } from './openapi.ts';
export {
  createProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  type Problem,
  type ProblemInput,
  ProblemSchema,
  sendProblem,
} from './problem.ts';
export { type CheckOutcome, checkReadiness, type ReadinessCheck, type ReadinessReport } from './readiness.ts';
export { REQUEST_ID_HEADER } from './request-id.ts';
export {
  type CacheableOptions,
  matchesEtag,
  type PreparedBody,
  type PreparedPage,
  packPage,
  prepareBody,
  preparePage,
  sendCacheable,
  surrogateKeyHeader,
  unpackPage,
} from './send-cacheable.ts';
export { assertStrictBody, findOpenObjects, StrictObject } from './strict-schema.ts';
export type { WarmPage, WarmResponses } from './warm-page.ts';
