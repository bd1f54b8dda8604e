import { defineRoute } from '../adapters/define-route';
import { storeConnection } from '../relay/actions/lifecycle';

/** The `$connect` route: see storeConnection. */
export const { createHandler, handler } = defineRoute('$connect', storeConnection);
