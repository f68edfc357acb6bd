// What Vue's template checker (vue-tsc) sees for <scan-viewer>: the GlobalComponents entry and its props.
// Type-checked by src/frameworks-types.test.ts; never run.
import type { GlobalComponents } from 'vue';
import type { ScanbridgeClient } from '@scanbridge/client';
import '@scanbridge/client/vue';

type Props = InstanceType<GlobalComponents['scan-viewer']>['$props'];
declare const client: ScanbridgeClient;

export const good: Props = { layout: 'strip', client, onSelectionchange: (e) => e.detail.ids.join() };
// @ts-expect-error: not a layout of <scan-viewer>
export const badLayout: Props = { layout: 'diagonal' };
// @ts-expect-error: client takes a ScanbridgeClient
export const badClient: Props = { client: 'not a client' };
