import { RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Bucket, type StackContext } from "sst/constructs";
import { stageSettings } from "./settings.js";

/**
 * The three buckets of seed 000. A bucket name in the stage settings imports that bucket (it is
 * never deleted by Tandem); otherwise the stage creates its own.
 */
export function Storage({ stack, app }: StackContext) {
  const settings = stageSettings(app);

  // Browsers upload knowledge files straight to the bucket (presigned POST) and open cited files
  // from it (presigned GET): the site's origin may do both, nothing else.
  const siteOrigins = settings.siteDomain ? [`https://${settings.siteDomain}`] : ["*"];
  const browserAccess: s3.CorsRule[] = [{ allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET], allowedOrigins: siteOrigins, allowedHeaders: ["*"], maxAge: 3600 }];

  function bucket(id: string, existingName: string | undefined, cors?: s3.CorsRule[]): Bucket {
    if (existingName) {
      return new Bucket(stack, id, { cdk: { bucket: s3.Bucket.fromBucketName(stack, `${id}Imported`, existingName) } });
    }
    return new Bucket(stack, id, {
      cdk: {
        bucket: {
          versioned: settings.bucketVersioning,
          enforceSSL: true,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          encryption: s3.BucketEncryption.S3_MANAGED,
          // Production keeps its files; dev and PR stages empty and delete their buckets so
          // that `sst remove` finishes cleanly.
          removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          autoDeleteObjects: !settings.retainData,
          cors,
        },
      },
    });
  }

  // An imported knowledge bucket needs the same CORS rule, set by its owner (README).
  const knowledgeFiles = bucket("KnowledgeFiles", settings.buckets.knowledgeFiles, browserAccess);
  const generatedImages = bucket("GeneratedImages", settings.buckets.generatedImages);
  const appFiles = bucket("AppFiles", settings.buckets.appFiles);
  stack.addOutputs({
    KnowledgeFilesBucket: knowledgeFiles.bucketName,
    GeneratedImagesBucket: generatedImages.bucketName,
    AppFilesBucket: appFiles.bucketName,
  });
  return { knowledgeFiles, generatedImages, appFiles };
}
