import { Messages } from '@salesforce/core';

// Registers the plugin's messages folder with @salesforce/core once per process (each registration finds and reads
// package.json and lists the folder again); every module that loads a bundle imports this one first.
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
