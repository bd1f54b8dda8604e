import { defineRoute } from '../adapters/define-route';
import { relayAcknowledge } from '../relay/actions/paired-forward';

/** The `Acknowledge` route: see relayAcknowledge. */
export const { createHandler, handler } = defineRoute('Acknowledge', relayAcknowledge);
