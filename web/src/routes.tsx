// Every surface is its own lazily loaded chunk: the kiosk never downloads the back office.
import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { NotFound } from './components/NotFound';
import { RequireAuth } from './components/RequireAuth';
import { SignInPage } from './components/SignInPage';
import { SurfaceHome } from './components/SurfaceHome';

const Backoffice = lazy(() => import('./surfaces/backoffice'));
const Store = lazy(() => import('./surfaces/store'));
const SelfCheckout = lazy(() => import('./surfaces/selfcheckout'));
const Storefront = lazy(() => import('./surfaces/storefront'));
const Devtools = lazy(() => import('./surfaces/devtools'));

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<SurfaceHome />} />
        <Route path="backoffice/*" element={<Backoffice />} />
        <Route path="store/*" element={<Store />} />
        <Route path="self-checkout/*" element={<SelfCheckout />} />
        <Route path="storefront/*" element={<Storefront />} />
        <Route path="devtools/*" element={<Devtools />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
