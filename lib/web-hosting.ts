import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Distribution, HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy, S3OriginAccessControl, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { assetBucketObjectsFinding, wildcardResourceFinding } from './nag-finding-ids';
import { originAccessControlName } from './origin-access-control-name';
import { CONTENT_SECURITY_POLICY } from '../web/content-security-policy';

/** The name of the JSON file, next to index.html, that tells the page where the relay is. */
const WEB_CONFIG_FILE = 'config.json';

/** The contents of {@link WEB_CONFIG_FILE}. */
export interface WebConfig {
  /** The relay's wss:// URL. */
  readonly relayUrl: string;
  /** STUN/TURN servers for the page's direct path; absent: host candidates only. */
  readonly iceServers?: readonly RTCIceServer[];
}

/** Options of {@link WebHosting}. */
export interface WebHostingProps {
  /** A folder holding the built page (index.html and its assets). */
  readonly webAssetPath: string;
  /** Written to `config.json` beside the page; may hold deploy-time values such as the wss URL. */
  readonly config: WebConfig;
}

/**
 * Serves the web page over HTTPS: a private, TLS-only S3 bucket behind a CloudFront
 * distribution that reads it through Origin Access Control (named after stack and region), plus the page's files and its
 * `config.json` deployed into the bucket (CloudFront's cache is invalidated on each deploy).
 */
export class WebHosting extends Construct {
  /** The bucket holding the page. */
  readonly bucket: Bucket;
  /** The distribution serving the page. */
  readonly distribution: Distribution;
  /** How CloudFront signs its reads of the bucket; named after the stack and region. */
  readonly originAccessControl: S3OriginAccessControl;
  /** What the page's config.json says (the relay URL is a token until deploy time). */
  readonly config: WebConfig;
  /** The deployment copying the page into the bucket. */
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    this.config = props.config;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // The page is a build output, redeployed from dist/web each time: nothing to keep.
      autoDeleteObjects: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudFront names are global per account: CDK's generated name has no region in it, so the
    // same stack in a second region would collide with the first.
    this.originAccessControl = new S3OriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlName: originAccessControlName(Stack.of(this).stackName),
      description: 'Lets the Banguins relay web page distribution read its bucket',
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Banguins relay web page',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessControl: this.originAccessControl }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.securityHeaders(),
      },
    });
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(props.webAssetPath), Source.jsonData(WEB_CONFIG_FILE, props.config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    this.acknowledgeNagFindings();
  }

  /**
   * The headers of CloudFront's managed SecurityHeadersPolicy (HSTS, nosniff, frame options, referrer
   * policy, XSS protection; frames denied and no referrer, as the page asks), plus the page's
   * Content-Security-Policy, the one the local relay serves too.
   */
  private securityHeaders(): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Banguins relay web page: security headers and its Content-Security-Policy',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });
  }

  /** The page's https:// URL. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  private acknowledgeNagFindings(): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket only holds the built web page, written by the deployment and read only by CloudFront; server access logs would add a log bucket per deployment and record nothing of interest.',
    });
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'The page is meant for whoever the user shares a file with, wherever they are.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'A static page for a personal deployment: a WAF web ACL would cost more than the rest of the stack; the relay API has its own stage throttling.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR3',
      reason: 'Access logs of a static page are not needed for a personal relay and would add a log bucket per deployment.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy cannot be changed; a custom domain with an ACM certificate would allow TLSv1.2_2021.",
    });

    // BucketDeployment's handler is one singleton per stack, written by aws-cdk-lib.
    const handler = bucketDeploymentHandler(this);
    const handlerFindings = Validations.of(handler);
    handlerFindings.acknowledge({
      id: 'AwsSolutions-L1',
      reason: "BucketDeployment's handler runtime is chosen by aws-cdk-lib and moves forward with it.",
    });
    handlerFindings.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "aws-cdk-lib's BucketDeployment handler logs through the AWS managed basic execution policy.",
    });
    const readWriteReason =
      "BucketDeployment's grants: read the uploaded page from the CDK asset bucket, then write, overwrite and prune the objects of this stack's page bucket.";
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      handlerFindings.acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: readWriteReason });
    }
    handlerFindings.acknowledge({ id: wildcardResourceFinding(this, this.bucket.arnForObjects('*')), reason: readWriteReason });
    handlerFindings.acknowledge({ id: assetBucketObjectsFinding(this), reason: readWriteReason });
    handlerFindings.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudFront CreateInvalidation/GetInvalidation, used to refresh the page after each deploy, support no resource-level scoping in BucketDeployment.',
    });
  }
}

/** The stack-wide singleton Lambda function that runs every BucketDeployment of the stack. */
function bucketDeploymentHandler(scope: IConstruct): IConstruct {
  const stack = Stack.of(scope);
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (handler === undefined) {
    throw new Error('BucketDeployment created no handler function in the stack; aws-cdk-lib changed how it names it.');
  }
  return handler;
}
