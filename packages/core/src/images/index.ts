import { InvokeModelCommand, type BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Schema, type Connection, type InferSchemaType, type Model } from "mongoose";
import { ImageRequest } from "@tandem/client/contract";
import { bedrockError, type ModelEntry } from "../ai/index.js";
import { NotFoundError, parseInput } from "../errors/index.js";
import { meterTandemUsage } from "../metering/tandem.js";
import { usageEventModel } from "../notebooks/model.js";
import { getNotebook, type Owner } from "../notebooks/notebooks.js";
import { deadline, isStorageOutage, storageUnavailable } from "../knowledge/storage.js";
import { tenantScoped, withTenant } from "../tenancy/index.js";
import { notifyNotebook } from "../live/events.js";

/**
 * Image generation: a Bedrock image model (Nova Canvas by default) draws from a prompt, the PNG goes
 * into the generated-images bucket, and people see it through presigned links that live 5 minutes.
 */
const imageSchema = new Schema(
  {
    notebookId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    prompt: { type: String, required: true },
    modelId: { type: String, required: true },
    key: { type: String, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
  },
  { timestamps: true, collection: "generated_images" },
);
imageSchema.plugin(tenantScoped);
imageSchema.index({ tenantId: 1, notebookId: 1, createdAt: -1 }, { name: "tenant_notebook_created" });

type ImageDocument = InferSchemaType<typeof imageSchema> & { tenantId: unknown; _id: unknown; createdAt: Date };

export function generatedImageModel(connection: Connection): Model<ImageDocument> {
  return (connection.models.GeneratedImage as Model<ImageDocument> | undefined) ?? connection.model<ImageDocument>("GeneratedImage", imageSchema);
}

/** The contract's schema: a prompt of at most 1,024 characters (Nova Canvas's limit) and a size. */
export const ImageInput = ImageRequest;

export interface GeneratedImage {
  readonly id: string;
  readonly prompt: string;
  readonly modelId: string;
  readonly width: number;
  readonly height: number;
  readonly createdAt: Date;
  /** A presigned link, valid for 5 minutes. */
  readonly url: string;
  /** The same, answered as a download named after the prompt (a link's `download` attribute is ignored across origins). */
  readonly downloadUrl: string;
}

/** A file name for a downloaded image: its prompt's first words. */
export function imageFileName(prompt: string): string {
  const words = prompt.replace(/[^\p{L}\p{N}\s-]/gu, " ").trim().split(/\s+/).slice(0, 6).join("-");
  return `${words || "image"}.png`;
}

export interface ImageServices {
  readonly bedrock: BedrockRuntimeClient;
  readonly model: ModelEntry;
  readonly s3: S3Client;
  readonly bucket: string;
}

const LINK_SECONDS = 300;

async function withUrl(doc: ImageDocument, services: Pick<ImageServices, "s3" | "bucket">): Promise<GeneratedImage> {
  const url = await getSignedUrl(services.s3, new GetObjectCommand({ Bucket: services.bucket, Key: doc.key }), { expiresIn: LINK_SECONDS });
  const name = imageFileName(doc.prompt);
  // An ASCII fallback and the UTF-8 name (RFC 6266), so any prompt gives a valid header.
  const disposition = `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`;
  const downloadUrl = await getSignedUrl(services.s3, new GetObjectCommand({ Bucket: services.bucket, Key: doc.key, ResponseContentDisposition: disposition }), { expiresIn: LINK_SECONDS });
  return { id: String(doc._id), prompt: doc.prompt, modelId: doc.modelId, width: doc.width, height: doc.height, createdAt: doc.createdAt, url, downloadUrl };
}

export async function generateImage(connection: Connection, owner: Owner, notebookId: string, input: unknown, services: ImageServices): Promise<GeneratedImage> {
  const data = parseInput(ImageInput, input, "image request");
  await getNotebook(connection, owner, notebookId, "edit");
  const [width, height] = data.size.split("x").map(Number) as [number, number];
  let png: Buffer;
  try {
    const res = await services.bedrock.send(
      new InvokeModelCommand({
        modelId: services.model.id,
        contentType: "application/json",
        accept: "application/json",
        body: JSON.stringify({ taskType: "TEXT_IMAGE", textToImageParams: { text: data.prompt }, imageGenerationConfig: { numberOfImages: 1, width, height } }),
      }),
    );
    const body = JSON.parse(new TextDecoder().decode(res.body)) as { images?: string[]; error?: string };
    if (!body.images?.[0]) throw Object.assign(new Error(body.error ?? "no image returned"), { name: "ValidationException" });
    png = Buffer.from(body.images[0], "base64");
  } catch (error) {
    throw bedrockError(error, services.model);
  }
  return withTenant(owner.tenantId, async () => {
    const doc = new (generatedImageModel(connection))({ notebookId, userId: owner.userId, prompt: data.prompt, modelId: services.model.id, width, height, key: "pending" });
    doc.key = `tenants/${owner.tenantId}/notebooks/${notebookId}/images/${String(doc._id)}.png`;
    try {
      await services.s3.send(new PutObjectCommand({ Bucket: services.bucket, Key: doc.key, Body: png, ContentType: "image/png" }), deadline());
    } catch (error) {
      // Nothing is saved or metered: the person can simply ask again once storage answers.
      if (isStorageOutage(error)) throw storageUnavailable("the image could not be saved", error);
      throw error;
    }
    await doc.save();
    // Metered like a reply: one usage event, keyed by the image, for the control plane.
    const usage = await usageEventModel(connection).create({
      idempotencyKey: `image:${String(doc._id)}`,
      kind: "image",
      userId: owner.userId,
      notebookId,
      imageId: doc._id,
      modelId: services.model.id,
      inputTokens: 0,
      outputTokens: 0,
      images: 1,
      costUsd: services.model.pricePerImage,
      status: "complete",
      at: new Date(),
    });
    // On the meters at once; what fails here, the hourly sweeper meters (metering/tandem.ts).
    await meterTandemUsage(connection, [usage.toObject()]).catch(() => undefined);
    await notifyNotebook(connection, owner, notebookId, "images.changed", { imageId: String(doc._id) });
    return withUrl(doc.toObject(), services);
  });
}

/** The notebook's gallery, newest first, each with a fresh 5-minute link. */
export async function listImages(connection: Connection, owner: Owner, notebookId: string, services: Pick<ImageServices, "s3" | "bucket">): Promise<GeneratedImage[]> {
  await getNotebook(connection, owner, notebookId, "read");
  const docs = await withTenant(owner.tenantId, () => generatedImageModel(connection).find({ notebookId }).sort({ createdAt: -1 }).limit(100).lean());
  return Promise.all(docs.map((d) => withUrl(d, services)));
}

/**
 * Deletes an image: its file first, then its record. A failure between the two leaves the record,
 * and deleting again finishes (removing a file that is already gone succeeds).
 */
export async function deleteImage(connection: Connection, owner: Owner, notebookId: string, imageId: string, services: Pick<ImageServices, "s3" | "bucket">): Promise<void> {
  await getNotebook(connection, owner, notebookId, "edit");
  const doc = /^[0-9a-f]{24}$/i.test(imageId) ? await withTenant(owner.tenantId, () => generatedImageModel(connection).findOne({ _id: imageId, notebookId }).lean()) : null;
  if (!doc) throw new NotFoundError("There is no such image in this notebook. Reload the gallery.", "image.not_found");
  try {
    await services.s3.send(new DeleteObjectCommand({ Bucket: services.bucket, Key: doc.key }), deadline());
  } catch (error) {
    if (isStorageOutage(error)) throw storageUnavailable("the image could not be deleted", error);
    throw error;
  }
  await withTenant(owner.tenantId, () => generatedImageModel(connection).deleteOne({ _id: imageId, notebookId }));
  await notifyNotebook(connection, owner, notebookId, "images.changed", { imageId, removed: true });
}
