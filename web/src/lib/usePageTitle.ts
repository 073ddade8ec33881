import { useEffect } from 'react';

/** The browser tab (and what a screen reader announces on navigation) names the page. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Winkel` : 'Winkel';
  }, [title]);
}
