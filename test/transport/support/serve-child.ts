// Runs `labsync --config <file> central serve` in its own process, so that a test can kill it.
import { main } from '../../../src/cli/main.js'

const code = await main(['node', 'labsync', '--config', process.argv[2], 'central', 'serve'])
process.exit(code)
