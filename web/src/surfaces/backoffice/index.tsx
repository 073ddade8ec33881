// Back office: catalog, prices and imports; inventory and purchasing; people, credentials and the
// trail of what they did.
import { Route, Routes } from 'react-router';
import { NotFound } from '../../components/NotFound';
import { SurfaceHome } from '../../components/SurfaceHome';
import { ApiKeysPage } from './ApiKeysPage';
import { AuditLogPage } from './AuditLogPage';
import { CategoriesPage } from './CategoriesPage';
import { ImportPage } from './ImportPage';
import { CountSheetPage, CountSheetsPage, TransferPage, TransfersPage } from './inventory';
import { LocationsPage } from './LocationsPage';
import { PriceListsPage } from './PriceListsPage';
import { ProductDetailPage } from './ProductDetailPage';
import { ProductsPage } from './ProductsPage';
import OrdersRoutes from './orders';
import FulfilmentRoutes from './fulfilment';
import PromotionsRoutes from './promotions';
import ReturnsRoutes from './returns';
import PrivacyRoutes from './privacy';
import CustomerRoutes from './customers';
import { PurchaseOrderPage } from './PurchaseOrderPage';
import { PurchaseOrdersPage } from './PurchaseOrdersPage';
import { ReplenishmentPage } from './ReplenishmentPage';
import { SkuStockPage } from './SkuStockPage';
import { StockPage } from './StockPage';
import { SuppliersPage } from './SuppliersPage';
import { UsersPage } from './UsersPage';

export default function Backoffice() {
  return (
    <Routes>
      <Route index element={<SurfaceHome surface="backoffice" />} />
      <Route path="products" element={<ProductsPage />} />
      <Route path="products/:id" element={<ProductDetailPage />} />
      <Route path="categories" element={<CategoriesPage />} />
      <Route path="price-lists" element={<PriceListsPage />} />
      <Route path="promotions/*" element={<PromotionsRoutes />} />
      <Route path="fulfilment/*" element={<FulfilmentRoutes />} />
      <Route path="orders/*" element={<OrdersRoutes />} />
      <Route path="returns/*" element={<ReturnsRoutes />} />
      <Route path="import" element={<ImportPage />} />
      <Route path="inventory/stock" element={<StockPage />} />
      <Route path="inventory/sku/:variantId" element={<SkuStockPage />} />
      <Route path="inventory/purchase-orders" element={<PurchaseOrdersPage />} />
      <Route path="inventory/purchase-orders/:id" element={<PurchaseOrderPage />} />
      <Route path="inventory/replenishment" element={<ReplenishmentPage />} />
      <Route path="inventory/transfers" element={<TransfersPage />} />
      <Route path="inventory/transfers/:id" element={<TransferPage />} />
      <Route path="inventory/counts" element={<CountSheetsPage />} />
      <Route path="inventory/counts/:id" element={<CountSheetPage />} />
      <Route path="inventory/suppliers" element={<SuppliersPage />} />
      <Route path="inventory/locations" element={<LocationsPage />} />
      <Route path="users" element={<UsersPage />} />
      <Route path="api-keys" element={<ApiKeysPage />} />
      <Route path="audit-log" element={<AuditLogPage />} />
      <Route path="privacy" element={<PrivacyRoutes />} />
      <Route path="customers/*" element={<CustomerRoutes />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
