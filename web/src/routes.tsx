// Every surface is its own lazily loaded chunk: the kiosk never downloads the back office.
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { NotFound } from './components/NotFound';
import { RequireAuth } from './components/RequireAuth';
import { ResetPasswordPage } from './components/ResetPasswordPage';
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
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      {/* Reset links e-mailed to shoppers before the shop had its reset page pointed here. */}
      <Route path="/account/reset-password" element={<ToShopReset />} />
      {/* The web shop is for shoppers: no staff sign-in, its own layout (see surfaces/storefront). */}
      <Route
        path="storefront/*"
        element={
          <Suspense fallback={null}>
            <Storefront />
          </Suspense>
        }
      />
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
        <Route path="devtools/*" element={<Devtools />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function ToShopReset() {
  const { search, hash } = useLocation();
  return <Navigate to={`/storefront/account/reset-password${search}${hash}`} replace />;
}
