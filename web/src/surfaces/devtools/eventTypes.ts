// Suggestions for event-type fields, from the server's own list (GET /v1/event-types): every type,
// each prefix ("stock.*") and "*". Endpoints accept only these, so a typo is caught here too.
import { useEventTypes } from '../../api/hooks/devtools';

export function useEventTypeSuggestions(): string[] {
  const list = useEventTypes();
  const types = list.data?.data.map((e) => e.type) ?? [];
  const prefixes = [...new Set(types.map((t) => `${t.slice(0, t.indexOf('.'))}.*`))];
  return ['*', ...prefixes.flatMap((p) => [p, ...types.filter((t) => t.startsWith(p.slice(0, -1)))])];
}
