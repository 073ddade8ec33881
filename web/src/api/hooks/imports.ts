// Catalog imports (CSV uploads followed while they run) and the product export.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { downloadFile, uploadFile } from '../../lib/download';
import { api, createHeaders, unwrap, type Schemas } from '../client';
import { usePagedList } from '../paging';
import { productKeys } from './catalog';
import { useApiMutation, type MutationOptions } from './util';

export type ImportJob = Schemas['ImportJob'];
export const importBusy = (job: ImportJob | undefined) => job?.status === 'queued' || job?.status === 'running';

export const importKeys = {
  all: ['imports'] as const,
  list: () => [...importKeys.all, 'list'] as const,
  detail: (id: string) => [...importKeys.all, 'detail', id] as const,
  rejections: (id: string) => [...importKeys.detail(id), 'rejections'] as const,
};

/** Import jobs, followed every 2 s while one is queued or running. */
export function useImports() {
  return usePagedList(importKeys.list(), (cursor) => unwrap(api.GET('/v1/imports', { params: { query: { cursor, limit: 20 } } })), {
    refetchInterval: (items) => (items.some(importBusy) ? 2000 : false),
  });
}

/** One job, followed every second until it is done; then the list, its rejections and products are stale. */
export function useImport(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: importKeys.detail(id),
    queryFn: async () => {
      const job = await unwrap(api.GET('/v1/imports/{id}', { params: { path: { id } } }));
      if (!importBusy(job)) {
        void client.invalidateQueries({ queryKey: importKeys.list() });
        void client.invalidateQueries({ queryKey: importKeys.rejections(id) });
        void client.invalidateQueries({ queryKey: productKeys.all });
      }
      return job;
    },
    refetchInterval: (q) => (!q.state.data || importBusy(q.state.data) ? 1000 : false),
  });
}

export function useImportRejections(id: string) {
  return usePagedList(importKeys.rejections(id), (cursor) => unwrap(api.GET('/v1/imports/{id}/rejections', { params: { path: { id }, query: { cursor, limit: 50 } } })));
}

/** Upload a file as an import of `kind` (products, prices, stock…). */
export function useUploadImport(options?: MutationOptions<ImportJob, { file: File; kind: string }>) {
  return useApiMutation(
    ({ file, kind }: { file: File; kind: string }) => uploadFile<ImportJob>(`/v1/imports?${new URLSearchParams({ kind, filename: file.name })}`, file, createHeaders()),
    { invalidates: () => [importKeys.list()] },
    options,
  );
}

export function useExportProducts(options?: MutationOptions<unknown, void>) {
  return useApiMutation(() => downloadFile('/v1/exports/products?format=csv', `winkel-products-${new Date().toISOString().slice(0, 10)}.csv`), {}, options);
}
