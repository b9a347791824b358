// Command stamp prints the version stamps the linker wrote into it with -X.
package main

import "fmt"

// Set by -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
	flavour = "default"
)

func main() {
	fmt.Printf("stamp %s (commit %s, built %s, flavour %s)\n", version, commit, date, flavour)
}
