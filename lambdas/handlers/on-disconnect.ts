import { defineRoute } from '../adapters/define-route';
import { forgetConnection } from '../relay/actions/lifecycle';

/** The `$disconnect` route: see forgetConnection. */
export const { createHandler, handler } = defineRoute('$disconnect', forgetConnection);
