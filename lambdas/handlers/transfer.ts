import { defineRoute } from '../adapters/define-route';
import { relayTransfer } from '../relay/actions/paired-forward';

/** The `Transfer` route: see relayTransfer. */
export const { createHandler, handler } = defineRoute('Transfer', relayTransfer);
