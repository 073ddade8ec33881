// The fulfilment module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { fulfilmentJobs } from './jobs.js';
export { orderFulfilments } from './order-fulfilments.js';
export { fulfilmentHolder } from './privacy.js';
export { carriedOutAtCounter, createOrderFulfilments } from './service.js';
export { sourceOrder } from './sourcing.js';
export type { SourceOrderOptions } from './sourcing.js';
export { fulfilmentRoutes } from './routes.js';
