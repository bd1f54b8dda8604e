import { defineRoute } from '../adapters/define-route';
import { echoMessage } from '../relay/actions/send-message';

/** The `sendmessage` route: see echoMessage. */
export const { createHandler, handler } = defineRoute('sendmessage', echoMessage);
