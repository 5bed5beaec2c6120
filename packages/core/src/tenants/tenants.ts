import type { Connection } from "mongoose";
import { CreateOrganisationRequest } from "@tandem/client/contract";
import type { z } from "zod";
import { isDuplicateKeyError } from "../database/index.js";
import { ConflictError, NotFoundError, parseInput } from "../errors/index.js";
import type { TENANT_STATUSES } from "./model.js";
import { tenantModel, type TenantDocument } from "./model.js";

/** The contract's schema: a one-line name without control or text-direction characters, and a slug. */
export const TenantInput = CreateOrganisationRequest;
export type TenantInput = z.input<typeof TenantInput>;

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly status: (typeof TENANT_STATUSES)[number];
  readonly createdAt: Date;
}

function toTenant(doc: TenantDocument & { _id: unknown }): Tenant {
  return { id: String(doc._id), slug: doc.slug, name: doc.name, status: doc.status, createdAt: doc.createdAt };
}

export async function createTenant(connection: Connection, input: TenantInput): Promise<Tenant> {
  const data = parseInput(TenantInput, input, "organisation's details");
  try {
    const doc = await tenantModel(connection).create(data);
    return toTenant(doc.toObject());
  } catch (error) {
    // The unique index decides, so two concurrent sign-ups cannot both take a slug.
    if (isDuplicateKeyError(error)) {
      throw new ConflictError(`The organisation handle "${data.slug}" is taken. Choose another one.`, "tenant.slug_taken");
    }
    throw error;
  }
}

export async function getTenantBySlug(connection: Connection, slug: string): Promise<Tenant> {
  const doc = await tenantModel(connection).findOne({ slug: slug.toLowerCase() }).lean();
  if (!doc) throw new NotFoundError(`No organisation has the handle "${slug}". Check the address.`, "tenant.not_found");
  return toTenant(doc);
}
