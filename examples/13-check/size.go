package main

// chunk is 1 TiB: fine where int has 64 bits, an overflow where it has 32.
const chunk = 1 << 40

var maxChunk int = chunk
