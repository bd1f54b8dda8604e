import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Sets API Gateway's account-level CloudWatch role (one per account and region), without
 * which a WebSocket stage with access logging fails to deploy. Role and setting are RETAINED,
 * as aws-apigateway's RestApi does: deleting one of two stacks in an account must not leave
 * the account pointing at a deleted role. A second stack simply points it at its own role.
 */
export class ApiGatewayAccountLogging extends Construct {
  /** The account setting; resources that log through API Gateway depend on it. */
  readonly account: CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write access logs to CloudWatch Logs (account-level setting)',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for API Gateway's account logging role (aws-apigateway's RestApi uses it too); API Gateway writes to log groups it creates itself.",
    });
    this.account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
