// The durable flows Winkel runs (src/platform/flows): each process that starts them or recovers
// them registers them here with what they need in that process.
import type { FlowRunner } from '../platform/flows/runner.js';
import { registerCheckout, type CheckoutDeps } from './checkout.js';

export type FlowDeps = CheckoutDeps;

export function registerFlows(flows: FlowRunner, deps: FlowDeps) {
  registerCheckout(flows, deps);
}
