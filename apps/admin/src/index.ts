export {
  type AdminApi,
  adminApiOver,
  createHttpAdminApi,
  createInProcessAdminApi,
} from './api/admin-api.ts';
export { type AdminConfig, loadAdminConfig } from './config.ts';
export { type AdminDashboardOptions, createAdminDashboard, type StaffClientRegistry } from './dashboard.ts';
