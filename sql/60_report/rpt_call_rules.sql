-- The report's severity rule, as data: which cloud calls on sensitive services deserve a reader's
-- attention, and how much. One row per (category, service, event name pattern); a call takes the
-- matching row of lowest precedence (tier first, the catch-all 'write' rows last). docs/report.md
-- prints the same table.
--   tier 1 credential   new long-term or federated credentials
--   tier 2 privilege    permissions, trust, network exposure and key policies changed
--   tier 4 secret-read  secrets, parameters and key material read
--   tier 4 data-read / data-write   S3 object data read or written
--   tier 4 write        any other change on IAM, STS, KMS, Secrets Manager, SSM, S3 or EC2
--   tier 6 recon        listing and describing identities, secrets, buckets, keys and the network
-- (tier 3 is a person entering a pod, tier 5 a denied call, tier 7 a connect to an undeclared
-- outside address: those come from other evidence.)
create or replace view rpt_call_rules as

with

rules (category, tier, event_source, name_pattern) as (
    values
        ('credential', 1, 'iam.amazonaws.com', 'CreateAccessKey|UpdateAccessKey|CreateLoginProfile|UpdateLoginProfile|CreateServiceSpecificCredential|UploadSSHPublicKey|UploadSigningCertificate|CreateVirtualMFADevice|EnableMFADevice|DeactivateMFADevice'),
        ('credential', 1, 'sts.amazonaws.com', 'GetFederationToken|GetSessionToken'),
        ('privilege', 2, 'iam.amazonaws.com', '(Attach|Detach|Put|Delete)(User|Role|Group)Policy|(Put|Delete)(User|Role)PermissionsBoundary|CreatePolicy|CreatePolicyVersion|SetDefaultPolicyVersion|CreateRole|UpdateAssumeRolePolicy|UpdateRole|CreateUser|AddUserToGroup|AddRoleToInstanceProfile|CreateInstanceProfile|PassRole|CreateOpenIDConnectProvider|UpdateOpenIDConnectProviderThumbprint|CreateSAMLProvider'),
        ('privilege', 2, 'ec2.amazonaws.com', '(Authorize|Revoke)SecurityGroup(Ingress|Egress)|CreateSecurityGroup|ModifySecurityGroupRules|ModifyInstanceAttribute|ModifyNetworkInterfaceAttribute|(Create|Replace)Route|(Create|Replace)NetworkAclEntry|AssociateIamInstanceProfile|ReplaceIamInstanceProfileAssociation|ModifyInstanceMetadataOptions|CreateVpcPeeringConnection|AcceptVpcPeeringConnection'),
        ('privilege', 2, 'kms.amazonaws.com', 'CreateGrant|PutKeyPolicy|DisableKey|ScheduleKeyDeletion'),
        ('privilege', 2, 'secretsmanager.amazonaws.com', 'PutResourcePolicy|DeleteResourcePolicy'),
        ('privilege', 2, 's3.amazonaws.com', '(Put|Delete)BucketPolicy|PutBucketAcl|PutObjectAcl|(Put|Delete)(Bucket)?PublicAccessBlock'),
        ('privilege', 2, 'eks.amazonaws.com', 'CreateAccessEntry|AssociateAccessPolicy|CreatePodIdentityAssociation|UpdatePodIdentityAssociation|UpdateClusterConfig'),
        ('secret-read', 4, 'secretsmanager.amazonaws.com', 'GetSecretValue|BatchGetSecretValue'),
        ('secret-read', 4, 'ssm.amazonaws.com', 'GetParameter|GetParameters|GetParametersByPath|GetParameterHistory'),
        ('secret-read', 4, 'kms.amazonaws.com', 'Decrypt|ReEncrypt.*|GenerateDataKey.*'),
        ('data-read', 4, 's3.amazonaws.com', 'GetObject|GetObjectVersion|SelectObjectContent|RestoreObject'),
        ('data-write', 4, 's3.amazonaws.com', 'PutObject|CopyObject|DeleteObject|DeleteObjects|CompleteMultipartUpload|UploadPart|UploadPartCopy'),
        ('recon', 6, 'sts.amazonaws.com', 'GetCallerIdentity|GetAccessKeyInfo|DecodeAuthorizationMessage'),
        ('recon', 6, 'iam.amazonaws.com', '(List|Get|Simulate|Generate)[A-Za-z]*'),
        ('recon', 6, 'secretsmanager.amazonaws.com', 'ListSecrets|DescribeSecret|ListSecretVersionIds|GetResourcePolicy'),
        ('recon', 6, 'ssm.amazonaws.com', 'DescribeParameters'),
        ('recon', 6, 's3.amazonaws.com', 'ListBuckets|ListObjects|ListObjectsV2|ListObjectVersions|GetBucket[A-Za-z]*|ListBucket[A-Za-z]*'),
        ('recon', 6, 'kms.amazonaws.com', 'ListKeys|ListAliases|DescribeKey|GetKeyPolicy|ListGrants|ListKeyPolicies'),
        ('recon', 6, 'ec2.amazonaws.com', 'Describe(Instances|SecurityGroups|SecurityGroupRules|NetworkInterfaces|Vpcs|Subnets|RouteTables|NetworkAcls|VpcEndpoints|NatGateways|InternetGateways|IamInstanceProfileAssociations|LaunchTemplateVersions|InstanceAttribute|Snapshots|Volumes|KeyPairs)'),
        -- any other change on a sensitive service (read_only = false), matched last
        ('write', 4, 'iam.amazonaws.com', '.*'),
        ('write', 4, 'kms.amazonaws.com', '.*'),
        ('write', 4, 'secretsmanager.amazonaws.com', '.*'),
        ('write', 4, 'ssm.amazonaws.com', '.*'),
        ('write', 4, 's3.amazonaws.com', '.*'),
        ('write', 4, 'ec2.amazonaws.com', '.*')
),

final as (
    select
        category,
        tier::INTEGER as tier,
        event_source,
        name_pattern,
        -- the catch-all rows apply only to calls that change something, and after every other row
        category = 'write' as writes_only,
        (tier * 2 + case when category = 'write' then 1 else 0 end)::INTEGER as precedence
    from rules
)

select * from final
