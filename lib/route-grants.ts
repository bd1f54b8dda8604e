import { Stack, Validations } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IRole } from 'aws-cdk-lib/aws-iam';
import { QRHASH_INDEX_NAME } from '../lambdas/relay/table-schema';
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
function tableIamActions(route: RouteDefinition): string[] {
  return route.tableActions.map((action) => `dynamodb:${action}`);
}

/** The ARN of the table's qrhash index, the only resource `dynamodb:Query` is granted on. */
function qrHashIndexArn(table: ITableV2): string {
  return `${table.tableArn}/index/${QRHASH_INDEX_NAME}`;
}

/**
 * Gives a route function's role exactly what its route definition asks for, through grants only:
 * its item operations on this table, `Query` on the qrhash index only (nothing when it lists none),
 * and `execute-api:ManageConnections` on this stage. `table.grant` is not used: once the table has
 * an index it adds `<table>/index/*` to every grant, a wildcard no item operation needs.
 */
export function grantRouteAccess(route: RouteDefinition, role: IRole, targets: RouteGrantTargets): void {
  const actions = tableIamActions(route);
  const itemActions = actions.filter((action) => action !== 'dynamodb:Query');
  if (itemActions.length > 0) Grant.addToPrincipal({ grantee: role, actions: itemActions, resourceArns: [targets.table.tableArn] });
  if (itemActions.length < actions.length) {
    Grant.addToPrincipal({ grantee: role, actions: ['dynamodb:Query'], resourceArns: [qrHashIndexArn(targets.table)] });
  }
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
