// Transfers and cycle counts in the back office (mounted under inventory/ by the back office), with
// the texts they and the stock-level settings use.
import '../../../locales/inventory';

export { CountSheetPage } from './CountSheetPage';
export { CountSheetsPage } from './CountSheetsPage';
export { TransferPage } from './TransferPage';
export { TransfersPage } from './TransfersPage';
