import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** How often the alarms look, and over what window. */
const ALARM_PERIOD = Duration.minutes(5);
/** API errors (failed invocations, 5xx answers) in one period that mean something is wrong, not a blip. */
const API_ERRORS_THRESHOLD = 10;
/** Throttled Lambda invocations in one period: any at all means the account's concurrency is too low. */
const LAMBDA_THROTTLES_THRESHOLD = 1;
/** Failed (crashed or timed out) route function invocations in one period. */
const LAMBDA_ERRORS_THRESHOLD = 5;

/** Options of {@link RelayAlarms}. */
export interface RelayAlarmsProps {
  /** The WebSocket API's id. */
  readonly apiId: string;
  /** The stage name. */
  readonly stageName: string;
  /** Every route function. */
  readonly functions: readonly IFunction[];
  /** Where the alarms send their notifications (confirm the subscription e-mail AWS sends). */
  readonly email: string;
}

/**
 * CloudWatch alarms on what hurts a deployed relay, each notifying an SNS topic with one e-mail
 * subscriber: the API's integration and execution errors (a route that answered 4xx/5xx, which
 * includes `$connect`'s 401 to a wrong relay key, or could not be invoked), Lambda throttles of the route functions (a new account's concurrency quota of 10), and
 * route function errors.
 */
export class RelayAlarms extends Construct {
  /** The topic the alarms notify; its one subscriber is the e-mail address. */
  readonly topic: Topic;
  /** The stage's 5xx answers and failed integrations. */
  readonly apiErrors: Alarm;
  /** Throttled invocations of any route function. */
  readonly lambdaThrottles: Alarm;
  /** Failed invocations of any route function. */
  readonly lambdaErrors: Alarm;

  constructor(scope: Construct, id: string, props: RelayAlarmsProps) {
    super(scope, id);
    // No SSE: alarm e-mails carry metric names and counts only, and CloudWatch cannot publish to a
    // topic under the AWS-managed key (a key of our own costs $1 a month).
    this.topic = new Topic(this, 'Topic', { displayName: 'Banguins relay alarms', enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.email));
    const action = new SnsAction(this.topic);

    const apiMetric = (metricName: string) =>
      new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiId: props.apiId, Stage: props.stageName }, statistic: 'Sum', period: ALARM_PERIOD });
    const sumOf = (label: string, metrics: readonly IMetric[]) =>
      new MathExpression({
        expression: metrics.map((_metric, index) => `m${index}`).join(' + '),
        usingMetrics: Object.fromEntries(metrics.map((metric, index) => [`m${index}`, metric])),
        label,
        period: ALARM_PERIOD,
      });
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      return created;
    };

    this.apiErrors = alarm(
      'ApiErrors',
      `Banguins relay: ${API_ERRORS_THRESHOLD}+ frames in 5 minutes failed in the relay (API Gateway IntegrationError + ExecutionError: a route answered 4xx/5xx, such as a handshake refused for a wrong key, or could not be invoked)`,
      sumOf('API errors', [apiMetric('IntegrationError'), apiMetric('ExecutionError')]),
      API_ERRORS_THRESHOLD,
    );
    this.lambdaThrottles = alarm(
      'LambdaThrottles',
      'Banguins relay: Lambda is throttling the route functions: the account concurrency quota is too low (new accounts: 10); ask for more in Service Quotas > Lambda > Concurrent executions',
      sumOf('route function throttles', props.functions.map((fn) => fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }))),
      LAMBDA_THROTTLES_THRESHOLD,
    );
    this.lambdaErrors = alarm(
      'LambdaErrors',
      `Banguins relay: ${LAMBDA_ERRORS_THRESHOLD}+ route function invocations in 5 minutes crashed or timed out; see the functions' logs`,
      sumOf('route function errors', props.functions.map((fn) => fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }))),
      LAMBDA_ERRORS_THRESHOLD,
    );
  }
}
