// What every bucket of this project gets: owner-enforced, no public access, SSE-S3 and a
// policy that refuses requests without TLS. ConfigBucket and DataSync's exports bucket
// both lock their bucket down with it, then add their own rules.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LockedDownBucket {
  /** Objects written before ownership is enforced would keep ACLs: uploads wait for it. */
  ownership: aws.s3.BucketOwnershipControls;
  policy: aws.s3.BucketPolicy;
}

/**
 * Locks `bucket` down. `statements` are added to the bucket policy after the TLS-only
 * denial. Children are named `<name>-ownership`, `-public-access-block`, `-encryption`,
 * `-policy` (or `policyName`).
 */
export function lockDownBucket(parent: pulumi.Resource, name: string, bucket: aws.s3.Bucket, statements: pulumi.Input<unknown>[] = [], policyName = `${name}-policy`): LockedDownBucket {
  const id = bucket.id;
  const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent });
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    { bucket: id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  // SSE-S3. S3 Bucket Keys only apply to SSE-KMS, so none is asked for.
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent },
  );
  const policy = new aws.s3.BucketPolicy(
    policyName,
    { bucket: id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucket.arn), ...statements] }) },
    // The public access block must exist first, or S3 may judge the policy public.
    { parent, dependsOn: [publicAccessBlock] },
  );
  return { ownership, policy };
}

/** Denies every request to the bucket and its objects that does not arrive over TLS. */
export function tlsOnlyStatement(bucketArn: pulumi.Output<string>) {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
