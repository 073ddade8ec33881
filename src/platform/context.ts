// Who does something, for the records a change leaves (audit entries, event actors): every module
// takes one of these from its routes, jobs and flows.
import type { FastifyRequest } from 'fastify';
import type { Actor } from './events/outbox.js';

export interface RequestContext {
  actor: Actor;
  requestId?: string;
  ip?: string;
}

export const SYSTEM: RequestContext = { actor: { type: 'system', label: 'winkel' } };

export function requestContext(req: FastifyRequest): RequestContext {
  const p = req.principal;
  return {
    actor: p ? { type: p.kind === 'staff' ? 'staff' : p.kind === 'customer' ? 'customer' : 'api_key', id: p.id, label: p.label } : { type: 'anonymous' },
    requestId: String(req.id),
    ip: req.ip,
  };
}
