// Fulfilment's answer to commerce's OrderFulfilments port: what an order edit asks of the
// fulfilments of the order's lines.
import type { OrderFulfilments } from '../commerce/index.js';
import { assertFulfilmentsOpen, lockFulfilmentsOfLines, movePickupLines, removeLinesFromFulfilments } from './service.js';

export const orderFulfilments: OrderFulfilments = { lockFulfilmentsOfLines, assertFulfilmentsOpen, removeLinesFromFulfilments, movePickupLines };
