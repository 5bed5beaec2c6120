export { meterModel, createMeter, listMeters, getMeter, updateMeter, deleteMeter, ensureBuiltInMeters, BUILT_IN_METERS, AGGREGATIONS, MeterInput, MeterUpdate, MeterApiName, type Meter } from "./meters.js";
export { usageRecordModel, ingestUsage, fetchUsage, cancelUsage, ingestedSums, usageCancellations, UsageEventInput, UsageBatch, UsageQuery, CancelQuery, type IngestResult, type UsageAnswer, type UsageCancellation } from "./usage.js";
export { meterTandemUsage, meterPendingUsage, recordsOf } from "./tandem.js";
export { priceUsage, costAt, listPriceVersions, currentPrices, addPriceVersion, reconcile, PriceVersionInput, ReconciliationQuery, PRICE_UNITS, type PriceVersion, type ReconciliationRow } from "./prices.js";
