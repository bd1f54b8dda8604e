import { createHash } from 'node:crypto';
import { Aws, Fn } from 'aws-cdk-lib';

/** CloudFront's limit on an origin access control name. */
export const ORIGIN_ACCESS_CONTROL_NAME_MAX_LENGTH = 64;

/** The longest region name the name leaves room for (e.g. `ap-southeast-5` is 14; 20 leaves margin). */
const REGION_NAME_ROOM = 20;

/**
 * A name for the web page's origin access control that is unique per account, as CloudFront
 * requires of these global resources: `<stack name>-<region>`, the region resolved at deploy
 * (`AWS::Region`), so the same stack deploys into a second region. A stack name too long for
 * 64 characters is cut and given a short hash of the whole name, so two long names stay apart.
 */
export function originAccessControlName(stackName: string): string {
  const room = ORIGIN_ACCESS_CONTROL_NAME_MAX_LENGTH - REGION_NAME_ROOM - 1;
  let prefix = stackName;
  if (stackName.length > room) {
    const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
    prefix = `${stackName.slice(0, room - hash.length - 1)}-${hash}`;
  }
  return Fn.join('-', [prefix, Aws.REGION]);
}
