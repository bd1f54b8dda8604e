/** The route key API Gateway falls back to when no other route matches. */
const DEFAULT_ROUTE = '$default';

/**
 * API Gateway's route selection for `$request.body.action`: a JSON object whose `action` is a
 * string naming a route goes to that route; anything else (not JSON, no `action`, an unknown
 * action, a binary frame) goes to `$default`. Returns undefined when neither exists, in which
 * case API Gateway answers the client with a "Forbidden" error frame.
 */
export function selectRoute(frameText: string | undefined, routeKeys: ReadonlySet<string>): string | undefined {
  const action = frameText === undefined ? undefined : actionOf(frameText);
  if (action !== undefined && !action.startsWith('$') && routeKeys.has(action)) {
    return action;
  }
  return routeKeys.has(DEFAULT_ROUTE) ? DEFAULT_ROUTE : undefined;
}

/** The `action` field of a JSON text frame, if it has a string one. */
export function actionOf(frameText: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(frameText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const action = (parsed as Record<string, unknown>).action;
      return typeof action === 'string' ? action : undefined;
    }
  } catch {
    // Not JSON: API Gateway routes it to $default.
  }
  return undefined;
}
