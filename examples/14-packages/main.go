// Command greeter prints a greeting from its configuration file, as installed by its
// Linux packages (/etc/greeter/greeter.conf), and the platform it was built for.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// configPath is where the packages install the configuration file.
const configPath = "/etc/greeter/greeter.conf"

func main() {
	greeting := "hello"
	path := configPath
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if data, err := os.ReadFile(path); err == nil {
		greeting = strings.TrimSpace(string(data))
	}
	fmt.Printf("%s from %s/%s\n", greeting, runtime.GOOS, runtime.GOARCH)
}
