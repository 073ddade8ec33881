// Customer profiles (the 360° view), consents and privacy (export, erasure).
import { useQuery } from '@tanstack/react-query';
import { api, createHeaders, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { useApiMutation, type Body, type MutationOptions, type Query } from './util';

export type TimelineQuery = Omit<Query<'/v1/profiles/{id}/timeline'>, 'cursor' | 'limit'>;

export const profileKeys = {
  all: ['profiles'] as const,
  list: (q: string) => [...profileKeys.all, 'list', q] as const,
  detail: (id: string) => [...profileKeys.all, 'detail', id] as const,
  timeline: (id: string, query: TimelineQuery) => [...profileKeys.detail(id), 'timeline', query] as const,
  /** A fixed slice of the timeline (all orders, all returns) read in one page. */
  timelineSlice: (id: string, type: string) => [...profileKeys.detail(id), 'timeline-slice', type] as const,
};

/** Who a consent query is about: a profile, or any identifier (e-mail, customer id, anonymous id). */
export type ConsentSubject = Query<'/v1/consents'>;
export const consentKeys = {
  all: ['consents'] as const,
  of: (subject: ConsentSubject) => [...consentKeys.all, subject] as const,
};

export type PrivacySubject = Query<'/v1/privacy/export'>;
export const privacyKeys = {
  all: ['privacy'] as const,
  exports: () => [...privacyKeys.all, 'export'] as const,
  export: (subject: PrivacySubject) => [...privacyKeys.exports(), subject] as const,
  erasures: () => [...privacyKeys.all, 'erasures'] as const,
};

// ------------------------------------------------------------------ profiles

/** Profiles newest first, or those matching `q` (a search answers one page). */
export function useProfiles(q: string) {
  return usePagedList(profileKeys.list(q), (cursor) => unwrap(api.GET('/v1/profiles', { params: { query: q ? { q, limit: 50 } : { cursor, limit: 50 } } })));
}

export function useProfile(id: string) {
  return useQuery({ queryKey: profileKeys.detail(id), queryFn: () => unwrap(api.GET('/v1/profiles/{id}', { params: { path: { id } } })) });
}

export function useProfileTimeline(id: string, query: TimelineQuery) {
  return usePagedList(profileKeys.timeline(id, query), (cursor) => unwrap(api.GET('/v1/profiles/{id}/timeline', { params: { path: { id }, query: { cursor, limit: 50, ...query } } })));
}

/** The last 100 events of one type (`order.placed`, `return.*`) on a profile. */
export function useProfileEvents(id: string, type: string) {
  return useQuery({ queryKey: profileKeys.timelineSlice(id, type), queryFn: () => unwrap(api.GET('/v1/profiles/{id}/timeline', { params: { path: { id }, query: { type, limit: 100 } } })) });
}

/** Undo a merge: the merged profile comes back with what it brought. */
export function useUnmergeProfile(options?: MutationOptions<unknown, { merge: Schemas['ProfileMerge']; reason?: string }>) {
  return useApiMutation(
    ({ merge, reason }: { merge: Schemas['ProfileMerge']; reason?: string }) => unwrap(api.POST('/v1/profiles/{id}/unmerge', { params: { path: { id: merge.mergedId } }, body: { mergeId: merge.id, ...(reason ? { reason } : {}) } })),
    { invalidates: () => [profileKeys.all] },
    options,
  );
}

// ------------------------------------------------------------------ consents

export function useConsents(subject: ConsentSubject | null, enabled = true) {
  return useQuery({ queryKey: consentKeys.of(subject ?? {}), enabled: enabled && !!subject, queryFn: () => unwrap(api.GET('/v1/consents', { params: { query: subject! } })) });
}

/** Change consents on a customer's behalf, with the reason kept in the history. */
export function useRecordConsents(options?: MutationOptions<unknown, Body<'/v1/consents', 'post'>>) {
  return useApiMutation((body: Body<'/v1/consents', 'post'>) => unwrap(api.POST('/v1/consents', { headers: createHeaders(), body })), { invalidates: () => [consentKeys.all] }, options);
}

// ------------------------------------------------------------------ privacy

export function usePrivacyExport(subject: PrivacySubject | null) {
  return useQuery({ queryKey: privacyKeys.export(subject ?? {}), enabled: !!subject, queryFn: () => unwrap(api.GET('/v1/privacy/export', { params: { query: subject! } })) });
}

export function useErasures() {
  return usePagedList(privacyKeys.erasures(), (cursor) => unwrap(api.GET('/v1/privacy/erasures', { params: { query: { cursor, limit: 20 } } })));
}

/** Erase a person everywhere; what was exported about them is dropped from the cache. */
export function useErasePerson(options?: MutationOptions<Schemas['Erasure'], Body<'/v1/privacy/erasures', 'post'>>) {
  return useApiMutation(
    (body: Body<'/v1/privacy/erasures', 'post'>) => unwrap(api.POST('/v1/privacy/erasures', { headers: createHeaders(), body })),
    { invalidates: () => [privacyKeys.erasures(), profileKeys.all, consentKeys.all], removes: () => [privacyKeys.exports()] },
    options,
  );
}
