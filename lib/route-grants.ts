import { Stack, Validations } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { RouteDefinition } from '../lambdas/routes';
import { wildcardResourceFinding } from './nag-finding-ids';

/** What a route function may be granted access to. */
export interface RouteGrantTargets {
  /** The connections table. */
  readonly table: ITableV2;
  /** The stage whose `@connections` endpoint posting routes use. */
  readonly stage: WebSocketStage;
}

/** The IAM actions of a route's table operations, in the order the route lists them. */
export function tableIamActions(route: RouteDefinition): string[] {
  return route.tableActions.map((action) => `dynamodb:${action}`);
}

/**
 * Gives a route function's role exactly what its route definition asks for, through grants only:
 * its table operations on this table (nothing when it lists none) and
 * `execute-api:ManageConnections` on this stage.
 */
export function grantRouteAccess(route: RouteDefinition, role: IRole, targets: RouteGrantTargets): void {
  const actions = tableIamActions(route);
  if (actions.length > 0) targets.table.grant(role, ...actions);
  if (route.postsToConnections) {
    targets.stage.grantManagementApiAccess(role);
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(role, connectionsArn(targets.stage)),
      reason:
        'Connection ids exist only at run time, so @connections access is granted for any connection of this stage of this API, the narrowest scope IAM allows.',
    });
  }
}

/** The resource that `WebSocketStage.grantManagementApiAccess` grants. */
function connectionsArn(stage: WebSocketStage): string {
  const apiArn = Stack.of(stage).formatArn({ service: 'execute-api', resource: stage.api.apiId });
  return `${apiArn}/${stage.stageName}/*/@connections/*`;
}
