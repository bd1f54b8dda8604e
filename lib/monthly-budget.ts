import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

/** Percent of the budget at which the actual cost so far sends the first e-mail. */
const ACTUAL_ALERT_PERCENT = 80;
/** Percent of the budget at which the month's forecast sends an e-mail. */
const FORECAST_ALERT_PERCENT = 100;

/** Options of {@link MonthlyBudget}. */
export interface MonthlyBudgetProps {
  /** The month's cost limit in US dollars. */
  readonly limitUsd: number;
  /** Who is told when the cost nears or will pass the limit. */
  readonly email: string;
}

/**
 * An AWS Budgets cost budget for the month, for the whole account (Budgets can only narrow it by
 * cost allocation tags, which need activating by hand in the billing console), e-mailing when the
 * actual cost reaches 80% of the limit and when the forecast passes it. It warns, it stops nothing:
 * anyone holding a pairing link holds the relay key and can move data at the owner's expense.
 */
export class MonthlyBudget extends Construct {
  /** The budget resource. */
  readonly budget: CfnBudget;

  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    const subscribers = [{ subscriptionType: 'EMAIL', address: props.email }];
    this.budget = new CfnBudget(this, 'Budget', {
      budget: {
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.limitUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        {
          notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold: ACTUAL_ALERT_PERCENT, thresholdType: 'PERCENTAGE' },
          subscribers,
        },
        {
          notification: { notificationType: 'FORECASTED', comparisonOperator: 'GREATER_THAN', threshold: FORECAST_ALERT_PERCENT, thresholdType: 'PERCENTAGE' },
          subscribers,
        },
      ],
    });
  }
}
