export { startLocalServices, type LocalServices, type LocalServicesOptions } from "./services.js";
export { startFerretDB, type FerretDB } from "./ferretdb.js";
export { startMoto, type Moto } from "./moto.js";
export { ensureFerretDB, ensureMoto, installLocalServices } from "./install.js";
export { startProcess, waitForPort } from "./process.js";
export { say } from "./log.js";
export { startMailCatcher, type MailCatcher, type Refusal } from "./mail-catcher.js";
export { startOidcProvider, type LocalOidcProvider, type OidcAccount, type OidcClient } from "./oidc-provider.js";
export { startMailbox, type Mailbox } from "./mailbox.js";
