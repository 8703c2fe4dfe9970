import { main } from './program'
import { relaunch, shouldRelaunch } from './relaunch'

// The CLI reads whole case sets into memory: it runs with a larger young generation (see relaunch.ts).
if (shouldRelaunch(process.execArgv, process.env)) relaunch()
else void main(process.argv)
