// Which inputs of the resources these components create cannot change in place: a new value
// makes Pulumi delete and create the resource (replace) instead of updating it. The npm
// packages carry no such data (the provider's schema does, as ForceNew, in Go), so the
// offline plan's diff reads it here. Only the inputs the components set are listed.
// Nothing here loads a Pulumi SDK.

/** Where an entry's properties were read, so a reviewer can check it again. */
export type ReplaceEvidence =
  /** The ForceNew attributes of the Terraform provider's schema, read in its Go source (file under internal/service/). */
  | { read: string }
  /** The provider's documentation in @pulumi/aws says so (a test checks the .d.ts still does). */
  | { documented: string }
  /** Known behaviour not read here from a source: the provider's ForceNew attributes, to be checked when one of them changes. */
  | { unverified: string };

export interface ReplaceOnChange {
  /** Top-level input names (as Pulumi spells them) whose change replaces the resource. */
  properties: readonly string[];
  evidence: ReplaceEvidence;
}

const tf = (file: string) => ({ read: `terraform-provider-aws internal/service/${file}` });

/** By resource type token. A type missing here is compared property by property, never reported as replaced. */
export const replaceOnChange: Readonly<Record<string, ReplaceOnChange>> = {
  "aws:rds/instance:Instance": {
    properties: ["dbName", "username", "engine", "storageEncrypted", "kmsKeyId", "identifier", "identifierPrefix", "availabilityZone", "characterSetName", "timezone", "snapshotIdentifier"],
    evidence: tf("rds/instance.go"),
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": {
    properties: ["atRestEncryptionEnabled", "port", "subnetGroupName", "kmsKeyId", "networkType", "dataTieringEnabled", "replicationGroupId", "snapshotName", "snapshotArns", "globalReplicationGroupId"],
    evidence: tf("elasticache/replication_group.go (engine and engineVersion force a replacement only on a downgrade, not listed)"),
  },
  "aws:ecs/service:Service": {
    properties: ["cluster", "name", "launchType", "iamRole", "schedulingStrategy"],
    evidence: tf("ecs/service.go"),
  },
  // Task definitions are immutable: every input but tags and skipDestroy makes a new revision.
  "aws:ecs/taskDefinition:TaskDefinition": {
    properties: ["containerDefinitions", "cpu", "memory", "family", "executionRoleArn", "taskRoleArn", "networkMode", "requiresCompatibilities", "runtimePlatform", "volumes", "ephemeralStorage", "placementConstraints", "proxyConfiguration", "ipcMode", "pidMode"],
    evidence: tf("ecs/task_definition.go"),
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { properties: ["name"], evidence: tf("cloudwatch/metric_alarm.go (alarm_name)") },
  "aws:secretsmanager/secretVersion:SecretVersion": {
    properties: ["secretId", "secretString", "secretBinary"],
    evidence: tf("secretsmanager/secret_version.go"),
  },
  "aws:efs/fileSystem:FileSystem": {
    properties: ["encrypted", "kmsKeyId", "performanceMode", "creationToken", "availabilityZoneName"],
    evidence: tf("efs/file_system.go"),
  },
  "aws:efs/mountTarget:MountTarget": { properties: ["fileSystemId", "subnetId", "ipAddress"], evidence: tf("efs/mount_target.go") },
  "aws:efs/accessPoint:AccessPoint": { properties: ["fileSystemId", "posixUser", "rootDirectory"], evidence: tf("efs/access_point.go") },
  "aws:ec2/securityGroup:SecurityGroup": {
    properties: ["name", "namePrefix", "description", "vpcId"],
    evidence: { documented: 'aws.ec2.SecurityGroup: a `name` change "forces new"; likewise `description`, `namePrefix`, `vpcId`' },
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { properties: ["securityGroupId"], evidence: { unverified: "the rule belongs to its group" } },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { properties: ["securityGroupId"], evidence: { unverified: "the rule belongs to its group" } },
  "aws:ecs/cluster:Cluster": { properties: ["name"], evidence: { unverified: "a cluster's name is its identity" } },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": { properties: ["clusterName"], evidence: { unverified: "belongs to its cluster" } },
  "aws:efs/backupPolicy:BackupPolicy": { properties: ["fileSystemId"], evidence: { unverified: "belongs to its file system" } },
  "aws:efs/fileSystemPolicy:FileSystemPolicy": { properties: ["fileSystemId"], evidence: { unverified: "belongs to its file system" } },
  "aws:elasticache/subnetGroup:SubnetGroup": { properties: ["name"], evidence: { unverified: "a subnet group's name is its identity" } },
  "aws:rds/parameterGroup:ParameterGroup": { properties: ["name", "namePrefix", "family", "description"], evidence: tf("rds/parameter_group.go (parameters change in place)") },
  "aws:rds/subnetGroup:SubnetGroup": { properties: ["name", "namePrefix"], evidence: { unverified: "a subnet group's name is its identity" } },
  "aws:cloudwatch/logGroup:LogGroup": { properties: ["name", "namePrefix", "logGroupClass"], evidence: { unverified: "a log group's name is its identity" } },
  "aws:cloudwatch/dashboard:Dashboard": { properties: ["dashboardName"], evidence: { unverified: "a dashboard's name is its identity" } },
  "aws:iam/role:Role": { properties: ["name", "namePrefix", "path"], evidence: { unverified: "a role's name and path are its identity" } },
  "aws:iam/rolePolicy:RolePolicy": { properties: ["name", "namePrefix", "role"], evidence: { unverified: "an inline policy belongs to its role" } },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { properties: ["role", "policyArn"], evidence: { unverified: "an attachment is its role and policy" } },
  "aws:s3/bucket:Bucket": { properties: ["bucket", "bucketPrefix", "objectLockEnabled"], evidence: { unverified: "a bucket's name is its identity" } },
  "aws:s3/bucketObjectv2:BucketObjectv2": { properties: ["bucket", "key"], evidence: { unverified: "an object is its bucket and key" } },
  "aws:s3/bucketPolicy:BucketPolicy": { properties: ["bucket"], evidence: { unverified: "belongs to its bucket" } },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { properties: ["bucket"], evidence: { unverified: "belongs to its bucket" } },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { properties: ["bucket"], evidence: { unverified: "belongs to its bucket" } },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { properties: ["bucket", "expectedBucketOwner"], evidence: { unverified: "belongs to its bucket" } },
  "aws:s3/bucketVersioning:BucketVersioning": { properties: ["bucket", "expectedBucketOwner"], evidence: { unverified: "belongs to its bucket" } },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { properties: ["bucket", "expectedBucketOwner"], evidence: { unverified: "belongs to its bucket" } },
  "aws:secretsmanager/secret:Secret": { properties: ["name", "namePrefix"], evidence: { unverified: "a secret's name is its identity" } },
  "aws:sns/topic:Topic": { properties: ["name", "namePrefix", "fifoTopic"], evidence: { unverified: "a topic's name is its identity" } },
  "aws:sns/topicSubscription:TopicSubscription": { properties: ["topic", "protocol", "endpoint"], evidence: { unverified: "a subscription is its topic, protocol and endpoint" } },
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": { properties: ["name", "vpc"], evidence: { unverified: "a namespace is its name in its VPC" } },
  "aws:servicediscovery/service:Service": { properties: ["name", "namespaceId", "healthCheckCustomConfig"], evidence: { unverified: "a service's name is its identity in its namespace" } },
  // Under mocks the VPC is one resource without children: these replace the VPC or its subnets (their CIDRs follow from them).
  "awsx:ec2:Vpc": {
    properties: ["cidrBlock", "numberOfAvailabilityZones", "subnetSpecs", "subnetStrategy"],
    evidence: { unverified: "awsx derives each subnet's CIDR from the VPC's block and the AZ count; a VPC's and a subnet's CIDR force new ones" },
  },
  // Every input of the random provider's resources makes a new value.
  "random:index/randomPassword:RandomPassword": {
    properties: ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"],
    evidence: { unverified: "terraform-provider-random: every attribute RequiresReplace" },
  },
  "random:index/randomId:RandomId": { properties: ["byteLength", "keepers", "prefix"], evidence: { unverified: "terraform-provider-random: every attribute RequiresReplace" } },
};

/** The properties among `changed` that replace a resource of `type` (none for a type not listed). */
export function replacingProperties(type: string, changed: readonly string[]): string[] {
  const entry = replaceOnChange[type];
  return entry ? changed.filter((property) => entry.properties.includes(property)) : [];
}
