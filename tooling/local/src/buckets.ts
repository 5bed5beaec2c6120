import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from "@aws-sdk/client-s3";

export const LOCAL_BUCKETS = {
  KNOWLEDGE_FILES_BUCKET: "tandem-local-knowledge-files",
  GENERATED_IMAGES_BUCKET: "tandem-local-generated-images",
  APP_FILES_BUCKET: "tandem-local-app-files",
} as const;

/** Creates the stage's three buckets in moto, as the storage stack does on AWS. */
export async function createLocalBuckets(endpoint: string): Promise<void> {
  const s3 = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  for (const bucket of Object.values(LOCAL_BUCKETS)) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
      if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
    });
    // The web app uploads knowledge files straight to the bucket, as on AWS.
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ["POST", "GET"], AllowedOrigins: ["*"], AllowedHeaders: ["*"], MaxAgeSeconds: 3600 }] } }));
  }
}
