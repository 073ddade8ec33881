import { QueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../api/client';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not go away by asking again; network and server hiccups might.
      retry: (count, error) => !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});
