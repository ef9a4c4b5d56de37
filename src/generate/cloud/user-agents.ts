import type { Sdk } from '../model.js';

/** User agents as SDKs and the CLI send them (CloudTrail userAgent). */

const OS = 'os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64';

export function sdkAgent(sdk: Sdk, api: string): string {
  switch (sdk) {
    case 'boto3':
      return `Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 ${OS} lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36`;
    case 'go-v2':
      return `aws-sdk-go-v2/1.30.5 ua/2.1 os/linux lang/go#1.22.7 md/GOOS#linux md/GOARCH#amd64 api/${api}#1.30.7`;
    case 'go-v1':
      return 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)';
    case 'java':
      return 'aws-sdk-java/2.28.16 Linux/6.1.109-118.189.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy';
    case 'none':
      return 'aws-internal/3';
  }
}

/** The AWS CLI v2 inside a container (Debian-based image), for a given `service.operation`. */
export function cliAgent(command: string): string {
  return `aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 ${OS} lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#${command}`;
}

export const CURL_AGENT = 'curl/7.88.1';
