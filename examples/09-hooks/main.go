// Command greet prints a greeting that `go generate` wrote: it does not build until the
// `before` hook has run.
package main

//go:generate go run ./gen

import (
	_ "embed"
	"fmt"
	"runtime"
)

//go:embed greeting.txt
var greeting string

func main() {
	fmt.Printf("%s from %s/%s\n", greeting, runtime.GOOS, runtime.GOARCH)
}
