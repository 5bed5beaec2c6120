#!/usr/bin/env node
// The `tandem-doctor` command of @tandem/stacks (a customer repository's seed.yml runs it).
import { runDoctor } from "./doctor-cli.js";

// Exit at once: a database that refused the connection can leave the driver's monitor running.
process.exit(await runDoctor(process.argv.slice(2)));
