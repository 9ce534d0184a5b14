// The data-sync task's environment as a contract: infra/dataSync.ts sets these variables on
// the task, the db tool (packages/db) reads them. Named here, once, so neither imports the other.

/** The variable naming each bucket's owner: `{"<bucket>": "<12-digit account>"}`; the db tool passes it to S3 as ExpectedBucketOwner. */
export const bucketOwnersVariable = "DATA_SYNC_BUCKET_OWNERS";
