import { defineRoute } from '../adapters/define-route';
import { relayRequest } from '../relay/actions/request';

/** The `Request` route: see relayRequest. */
export const { createHandler, handler } = defineRoute('Request', relayRequest);
