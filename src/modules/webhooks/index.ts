// The webhooks module's public surface: what other modules, the flows, the app and the CLI use.
// Import the module from here, never from its files (test/boundaries.test.ts, ESLint).

export { webhooksHolder } from './privacy.js';
export { fanOutSubscription, WebhookSender } from './service.js';
export { signPayload, verifySignature } from './signature.js';
export { webhookRoutes } from './routes.js';
