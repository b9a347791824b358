// Command server answers on HTTP with its build line; `server --version` prints it.
package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/toolbox/internal/greeting"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println(greeting.Line("server"))
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, greeting.Line("server"))
	})
	if err := http.ListenAndServe("127.0.0.1:8080", nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
