import { IssueCollector, parseSetting, present, type Source } from "./parse.js";

/**
 * What kind of stage this is decides its domain and whether it keeps its data:
 * production retains everything; dev, preview (pr<N>) and personal stages clean up after
 * themselves; local is `pnpm dev` and the tests.
 */
export type StageKind = "production" | "dev" | "preview" | "personal" | "local";

export interface BucketSettings {
  /** Existing bucket to import; undefined means Tandem creates its own. */
  readonly knowledgeFiles?: string;
  readonly generatedImages?: string;
  readonly appFiles?: string;
}

export interface StageSettings {
  readonly app: string;
  readonly stage: string;
  readonly kind: StageKind;
  /** Number of the pull request for preview stages. */
  readonly pullRequest?: number;
  /** Domain the web app is served on; undefined means the CloudFront address. */
  readonly siteDomain?: string;
  /** Route 53 zone that holds siteDomain. */
  readonly hostedZone?: string;
  readonly certificateArn?: string;
  readonly vpcId?: string;
  readonly buckets: BucketSettings;
  readonly bucketVersioning: boolean;
  readonly warming: boolean;
  readonly ecrCacheRepo?: string;
  /** The DocumentDB cluster the monitoring stack watches, when the operator names it. */
  readonly documentDbCluster?: string;
  /** Requests per 5 minutes from one address before the site's firewall blocks it; undefined: no firewall. */
  readonly wafRateLimit?: number;
  readonly ci: boolean;
  /** Production keeps buckets and databases when the stage is removed. */
  readonly retainData: boolean;
}

const PREVIEW_STAGE = /^pr(\d+)$/;

export function stageKindOf(stage: string): StageKind {
  if (stage === "production" || stage === "prod") return "production";
  if (stage === "dev") return "dev";
  if (PREVIEW_STAGE.test(stage)) return "preview";
  if (stage === "local") return "local";
  return "personal";
}

/**
 * The stage being run: SST's own stage when SST runs us (deploy, Lambda), else Seed's, else local.
 */
export function stageNameFrom(source: Source): string {
  return present(source, "SST_STAGE") ?? present(source, "SEED_STAGE_NAME") ?? "local";
}

/** Reads and validates the stage variables of seed 000; throws ConfigError naming each bad value. */
export function loadStageSettings(source: Source, options: { stage?: string } = {}): StageSettings {
  const stage = options.stage ?? stageNameFrom(source);
  const issues = new IssueCollector(stage);
  const kind = stageKindOf(stage);

  const serverDomain = parseSetting<string>(source, "SERVER_DOMAIN", issues);
  const previewDomain = parseSetting<string>(source, "PREVIEW_DOMAIN", issues);
  const hostedZoneSetting = parseSetting<string>(source, "HOSTED_ZONE", issues);
  const certificateArn = parseSetting<string>(source, "APP_CERT_ARN", issues);
  const vpcId = parseSetting<string>(source, "VPC_ID", issues);
  const buckets: BucketSettings = {
    knowledgeFiles: parseSetting<string>(source, "FAB_FILES_BUCKET_NAME", issues),
    generatedImages: parseSetting<string>(source, "GENERATED_IMAGES_BUCKET_NAME", issues),
    appFiles: parseSetting<string>(source, "APP_FILES_BUCKET_NAME", issues),
  };
  const bucketVersioning = parseSetting<boolean>(source, "ENABLE_BUCKET_VERSIONING", issues) ?? false;
  const warming = parseSetting<boolean>(source, "ENABLE_WARMING", issues) ?? false;
  const ecrCacheRepo = parseSetting<string>(source, "ECR_CACHE_REPO", issues);
  const documentDbCluster = parseSetting<string>(source, "DOCDB_CLUSTER_ID", issues);
  const wafRateLimit = parseSetting<number>(source, "WAF_RATE_LIMIT", issues);
  const app = parseSetting<string>(source, "SEED_APP_NAME", issues) ?? "tandem";
  parseSetting<string>(source, "SEED_STAGE_NAME", issues);
  const ci = parseSetting<boolean>(source, "CI", issues) ?? false;

  const pullRequest = kind === "preview" ? Number(PREVIEW_STAGE.exec(stage)?.[1]) : undefined;
  // A PR stage lives under the preview domain so that it never collides with dev or production.
  const baseDomain = kind === "local" ? undefined : kind === "preview" ? previewDomain : serverDomain;
  const siteDomain = baseDomain === undefined ? undefined : kind === "preview" ? `app.pr${pullRequest}.${baseDomain}` : `app.${baseDomain}`;
  const hostedZone = siteDomain === undefined ? undefined : (hostedZoneSetting ?? baseDomain);
  if (siteDomain && hostedZone && !siteDomain.endsWith(`.${hostedZone}`)) {
    issues.custom(
      "HOSTED_ZONE",
      `HOSTED_ZONE ${hostedZone} does not contain the site domain ${siteDomain}. Set HOSTED_ZONE to the Route 53 zone that holds ${baseDomain}, or leave it unset when the zone is ${baseDomain} itself.`,
    );
  }
  issues.throwIfAny("The stage settings");

  return {
    app,
    stage,
    kind,
    pullRequest,
    siteDomain,
    hostedZone,
    certificateArn,
    vpcId,
    buckets,
    bucketVersioning,
    warming,
    ecrCacheRepo,
    documentDbCluster,
    wafRateLimit,
    ci,
    retainData: kind === "production",
  };
}
