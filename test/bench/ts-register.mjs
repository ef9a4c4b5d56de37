// node --import ./test/bench/ts-register.mjs x.ts: see ts-hooks.mjs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
