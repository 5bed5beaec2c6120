import { Schema, Types, type Aggregate, type Document, type MongooseQueryMiddleware, type Query } from "mongoose";
import { currentScope, TenantScopeError } from "./context.js";

const QUERY_HOOKS = [
  "countDocuments",
  "deleteMany",
  "deleteOne",
  "distinct",
  "find",
  "findOne",
  "findOneAndDelete",
  "findOneAndReplace",
  "findOneAndUpdate",
  "replaceOne",
  "updateMany",
  "updateOne",
] satisfies MongooseQueryMiddleware[];

function modelNameOf(schemaOwner: { modelName?: string } | undefined): string {
  return schemaOwner?.modelName ?? "a tenant-owned model";
}

/**
 * Makes a model tenant-owned: every document carries `tenantId`, and every query, aggregate and
 * save is scoped to the tenant of the current context (see withTenant). Without a context the
 * operation fails (fail closed); runAsSystem is the explicit way across tenants.
 */
export function tenantScoped(schema: Schema): void {
  schema.add({ tenantId: { type: Schema.Types.ObjectId, required: true, index: true, immutable: true } });

  schema.pre(QUERY_HOOKS, function scopeQuery(this: Query<unknown, unknown>) {
    const op = (this as unknown as { op: string }).op;
    const scope = currentScope();
    if (scope?.kind === "system") return;
    const model = modelNameOf(this.model);
    if (!scope) throw new TenantScopeError(`Refused an unscoped ${op} on ${model}: run it inside withTenant(), or runAsSystem() for deliberate cross-tenant work.`);
    const filter = this.getFilter() as { tenantId?: unknown };
    if (filter.tenantId !== undefined && String(filter.tenantId) !== scope.tenantId) {
      throw new TenantScopeError(`Refused a ${op} on ${model} for another tenant than the current one.`);
    }
    this.where({ tenantId: scope.tenantId });
    const update = this.getUpdate() as { tenantId?: unknown; $set?: { tenantId?: unknown } } | null;
    if (update && (update.tenantId !== undefined || update.$set?.tenantId !== undefined)) {
      throw new TenantScopeError(`Refused to move a document of ${model} to another tenant.`);
    }
  });

  schema.pre("aggregate", function scopeAggregate(this: Aggregate<unknown>) {
    const scope = currentScope();
    if (scope?.kind === "system") return;
    if (!scope) throw new TenantScopeError("Refused an unscoped aggregate on a tenant-owned model: run it inside withTenant().");
    // Scope first, so no later stage can see another tenant's documents.
    this.pipeline().unshift({ $match: { tenantId: new Types.ObjectId(scope.tenantId) } });
  });

  // On validate, which runs before save, so the required tenantId is filled in from the context.
  schema.pre("validate", function scopeSave(this: Document & { tenantId?: unknown }) {
    const scope = currentScope();
    if (scope?.kind === "system") {
      if (this.tenantId === undefined) throw new TenantScopeError("A system save of a tenant-owned document must name its tenantId.");
      return;
    }
    if (!scope) throw new TenantScopeError("Refused to save a tenant-owned document outside withTenant().");
    if (this.tenantId === undefined) this.tenantId = scope.tenantId;
    else if (String(this.tenantId) !== scope.tenantId) throw new TenantScopeError("Refused to save a document into another tenant.");
  });

  schema.pre("insertMany", function scopeInsertMany(next: (error?: Error) => void, docs: Array<{ tenantId?: unknown }>) {
    const scope = currentScope();
    if (scope?.kind === "system") return next();
    if (!scope) return next(new TenantScopeError("Refused an unscoped insertMany on a tenant-owned model: run it inside withTenant()."));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.tenantId === undefined) doc.tenantId = scope.tenantId;
      else if (String(doc.tenantId) !== scope.tenantId) return next(new TenantScopeError("Refused to insert documents into another tenant."));
    }
    next();
  });
}
