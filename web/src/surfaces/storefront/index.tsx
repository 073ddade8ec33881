// The web shop. It runs for anyone (no staff sign-in): it asks the server for its publishable key
// and acts as a guest, or as the shopper once they sign in to their customer account.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../components/NotFound';
import '../../locales/shop';
import { AccountPage } from './AccountPage';
import { CartPage } from './CartPage';
import { CheckoutPage } from './CheckoutPage';
import { OrderPage } from './OrderPage';
import { ProductListPage } from './ProductListPage';
import { ProductPage } from './ProductPage';
import { ResetPasswordPage } from './ResetPasswordPage';
import { ShopLayout } from './ShopLayout';

export default function Storefront() {
  return (
    <Routes>
      <Route element={<ShopLayout />}>
        <Route index element={<ProductListPage />} />
        <Route path="products/:id" element={<ProductPage />} />
        <Route path="cart" element={<CartPage />} />
        <Route path="checkout" element={<CheckoutPage />} />
        <Route path="orders/:id" element={<OrderPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="account/reset-password" element={<ResetPasswordPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
