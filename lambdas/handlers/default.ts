import { defineRoute } from '../adapters/define-route';
import { refuseUnroutable } from '../relay/actions/default';

/** The `$default` route: see refuseUnroutable. */
export const { createHandler, handler } = defineRoute('$default', refuseUnroutable);
