import { defineRoute } from '../adapters/define-route';
import { answerConnect } from '../relay/actions/connect';

/** The `Connect` route: see answerConnect. */
export const { createHandler, handler } = defineRoute('Connect', answerConnect);
