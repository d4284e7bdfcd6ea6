/** The `callthemes` bin's entry: runs the command line and leaves its exit code to the process. */
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2));
