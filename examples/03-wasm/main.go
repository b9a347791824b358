// Command wasm greets from WebAssembly, in a browser (js/wasm) or under a WASI runtime
// such as wasmtime (wasip1/wasm).
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
