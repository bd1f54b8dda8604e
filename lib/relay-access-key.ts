import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The length of the generated relay access key: letters and digits only, ~285 bits. */
const RELAY_KEY_LENGTH = 48;

/**
 * The relay access key: a Secrets Manager secret generated at deploy, of letters and digits only
 * (it travels in the WebSocket URL's query string, `?key=`, and a link's fragment, unescaped).
 * Grant read to the one function that checks it; the owner's CLI reads it with their credentials.
 */
export class RelayAccessKey extends Construct {
  /** The secret holding the key as its plain string value. */
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'Banguins relay access key: a connection is accepted only with ?key=<this value>',
      generateSecretString: {
        passwordLength: RELAY_KEY_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      // A key is worth nothing without its relay; RETAIN would leave one secret per deployment.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key is in every pairing link and CLI configuration of its owner: rotating it would silently break them all. The owner replaces it on purpose (put-secret-value, or delete and redeploy), and it only opens a relay that still checks pairing on every frame.',
    });
  }

  /** Lets `grantee` read the key (GetSecretValue and DescribeSecret on this secret only). */
  grantRead(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }

  /** The secret's ARN, handed to the `$connect` function and output for the CLI. */
  get secretArn(): string {
    return this.secret.secretArn;
  }
}
