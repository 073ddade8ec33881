import { Navigate } from 'react-router';
import { useCan } from '../lib/auth';
import { SURFACES, type Surface } from '../lib/surfaces';
import { NotFound } from './NotFound';

/** Sends the user to the first page of a surface (or of the app) that their role may see. */
export function SurfaceHome({ surface }: { surface?: Surface['id'] }) {
  const can = useCan();
  const surfaces = surface ? SURFACES.filter((s) => s.id === surface) : SURFACES;
  for (const s of surfaces) {
    const page = s.pages.find((p) => !p.external && p.path !== s.path && can(p.permission));
    if (page) return <Navigate to={page.path} replace />;
  }
  if (!surface) return <Navigate to="/store" replace />;
  return <NotFound />;
}
