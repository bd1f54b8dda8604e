import { DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The id of cdk-nag's AwsSolutions-IAM5 finding for a wildcard resource, for
 * `Validations.of(x).acknowledge`. cdk-nag names a finding after the resolved resource with
 * every `Ref`/`GetAtt`/`${}` written as `<...>`; this flattens a token the same way, so an
 * acknowledgment names exactly one resource, never every wildcard of a policy.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnValue(Stack.of(scope).resolve(resource))}]`;
}

/**
 * The id of cdk-nag's AwsSolutions-IAM5 finding for the objects of the CDK bootstrap asset
 * bucket (read by BucketDeployment) in an environment-agnostic stack.
 */
export function assetBucketObjectsFinding(scope: IConstruct): string {
  const qualifier: unknown =
    scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  // The synthesizer's own placeholder, not a template literal.
  const bucketName = DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace('${Qualifier}', String(qualifier));
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${flattenCfnValue(bucketName)}/*]`;
}

/** cdk-nag's flattening (utils/flatten-cfn-reference.ts) of a resolved CloudFormation value. */
function flattenCfnValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(flattenCfnValue).join(delimiter);
    }
    if (node['Fn::Sub'] !== undefined) return flattenCfnValue(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flattenCfnValue(getAtt[0])}.${flattenCfnValue(getAtt[1])}>`;
    if (node['Fn::ImportValue'] !== undefined) return flattenCfnValue(node['Fn::ImportValue']);
    if (node.Ref !== undefined) return `<${flattenCfnValue(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
