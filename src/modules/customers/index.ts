// The customers module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { collect, purgeAnonymousEvents, refuseWhollyBadBatch } from './collect.js';
export type { IncomingEvent } from './collect.js';
export { lockIdentityGraph, retireCustomerIds } from './identity.js';
export { collectedEventsHolder, profilesHolder } from './privacy.js';
export { refreshComputedTraits, removeTimelineEntries, timelineSubscription } from './profiles.js';
export { anonymousIdsOf, profileDeciders, profileIdsHolding, provenCustomerIdsOf } from './trust.js';
export { CollectBatch, customerRoutes, profileRoutes } from './routes.js';
