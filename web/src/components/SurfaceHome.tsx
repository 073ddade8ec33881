import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useCan } from '../lib/auth';
import { SURFACES, type Surface } from '../lib/surfaces';
import { NotFound } from './NotFound';

/** Sends the user to the first page of a surface (or of the app) that their role may see. */
export function SurfaceHome({ surface }: { surface?: Surface['id'] }) {
  const can = useCan();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const surfaces = surface ? SURFACES.filter((s) => s.id === surface) : SURFACES;
  let target: string | null = null;
  for (const s of surfaces) {
    const page = s.pages.find((p) => !p.external && p.path !== s.path && can(p.permission));
    if (page) {
      target = page.path;
      break;
    }
  }
  if (!target && !surface) target = '/store';
  useEffect(() => {
    if (!target) return;
    // On a slow device this start page can appear after the user has already picked a page in the
    // menu (the browser is at that page, the screen not yet): they stay where they went.
    const here = (p: string) => p.replace(/\/+$/, '') || '/';
    if (here(window.location.pathname) !== here(pathname)) return;
    void navigate(target, { replace: true });
  }, [target, pathname, navigate]);
  return target ? null : <NotFound />;
}
