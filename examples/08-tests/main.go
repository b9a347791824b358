// Command smoke answers --version with its name, version and platform, and can be told to
// fail or to hang, so that `crosscheck build --smoke` has a run to pass and runs to catch.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print name, version and platform")
	fail := flag.Bool("fail", false, "exit 3 at once")
	hang := flag.Bool("hang", false, "sleep for an hour")
	flag.Parse()
	switch {
	case *fail:
		fmt.Fprintln(os.Stderr, "smoke: failing as asked")
		os.Exit(3)
	case *hang:
		time.Sleep(time.Hour)
	case *showVersion:
		fmt.Printf("smoke %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
	default:
		fmt.Println("smoke: try --version")
	}
}
