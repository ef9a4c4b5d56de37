/**
 * The string CloudTrail signs for a digest (CloudTrail user guide, "Validating digest files";
 * awscli's Sha256RSADigestValidator): digestEndTime, digestS3Bucket/digestS3Object, the hex SHA-256
 * of the inflated digest bytes and the previous digest's signature ("null" for a starting digest),
 * joined by LF only. The parsed JSON values are used as they are: never re-serialized.
 */
export function stringToSign(d: { digestEndTime: string; digestS3Bucket: string; digestS3Object: string; previousDigestSignature: string | null }, inflatedSha256Hex: string): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${inflatedSha256Hex.toLowerCase()}\n${d.previousDigestSignature ?? 'null'}`;
}
