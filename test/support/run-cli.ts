// Runs the labsync command from the TypeScript sources in its own process (`node --import tsx`),
// so that a test can send it signals: `node --import tsx test/support/run-cli.ts --config f.yaml efector start`.
import { main } from '../../src/cli/main.js'

process.exitCode = await main(['node', 'labsync', ...process.argv.slice(2)])
