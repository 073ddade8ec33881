// Optimistic concurrency: every updatable resource has a `version`; answers carry it as the ETag,
// and an update with a stale `If-Match` is refused with 412 instead of overwriting someone's change.
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { badRequest, preconditionFailed } from '../errors.js';

export function expectedVersion(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(String(raw));
  if (!m) throw badRequest('If-Match must be the ETag of the resource, e.g. "3".', [{ field: '/if-match', in: 'header', message: 'not a version' }]);
  return Number(m[1]);
}

export function checkVersion(kind: string, id: string, current: number, expected: number | undefined) {
  if (expected !== undefined && expected !== current) {
    throw preconditionFailed(`${kind} ${id} is at version ${current}, not ${expected}: fetch it again and reapply your change.`, { currentVersion: current });
  }
}

export const etag = (version: number) => `"${version}"`;

/** The request headers of a route that takes If-Match (documented in the OpenAPI document). */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 100, description: 'The ETag you read ("3"): the change is refused with 412 if the resource has changed since.' })),
});

