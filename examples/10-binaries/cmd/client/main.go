// Command client fetches a URL and prints it; `client --version` prints its build line.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"example.com/toolbox/internal/greeting"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] == "--version" {
		fmt.Println(greeting.Line("client"))
		return
	}
	response, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer response.Body.Close()
	io.Copy(os.Stdout, response.Body)
}
