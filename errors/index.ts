// The public surface of errors/: the root error, the errors that name their recovery, every code.
export * from './error-codes.js'
export * from './streams-error.js'
