// Cursor-paged lists ({ data, hasMore, nextCursor }) as one growing list with "load more".
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

export function usePagedList<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  options: { refetchInterval?: (items: T[]) => number | false; enabled?: boolean } = {},
) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.hasMore && last.nextCursor ? last.nextCursor : undefined),
    refetchInterval: options.refetchInterval ? (q) => options.refetchInterval!(q.state.data?.pages.flatMap((p) => p.data) ?? []) : undefined,
    enabled: options.enabled,
  });
  const items = query.data?.pages.flatMap((p) => p.data) ?? [];
  return { ...query, items };
}
