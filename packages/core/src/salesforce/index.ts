/**
 * The optional CRM sync (issue 11): with every SF_* secret set, each tenant is an Account in the
 * operator's Salesforce org and its first owner a Contact, kept up to date by a sweeper that the
 * hourly housekeeping runs. Nothing here runs inside a request.
 */
export { syncSalesforce, retryDelayMs, FIRST_RETRY_MS, MAX_RETRY_MS, type SalesforceSyncOptions, type SalesforceSyncResult } from "./sync.js";
export { salesforceLinkModel, type SalesforceLink, type SyncedAccount, type SyncedContact } from "./model.js";
export { ACCOUNT_EXTERNAL_ID, CONTACT_EXTERNAL_ID, SALESFORCE_API_VERSION, describeFailure, type SalesforceConfig } from "./client.js";
