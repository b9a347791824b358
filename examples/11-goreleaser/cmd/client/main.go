// Command client prints its version line: the name, the version GoReleaser's (and the
// converted matrix.toml's) ldflags stamp in, and the platform it was built for.
package main

import (
	"fmt"
	"runtime"
)

var version = "dev"

func main() {
	fmt.Printf("client %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
}
