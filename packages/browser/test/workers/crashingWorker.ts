// A prover worker that dies while loading: an uncaught exception at the top level.
throw new Error("boom while loading (secret input 12345 must never be quoted)")
