// Command gen writes greeting.txt, which the program embeds; `go generate` runs it.
package main

import (
	"log"
	"os"
)

func main() {
	if err := os.WriteFile("greeting.txt", []byte("hello, generated"), 0o644); err != nil {
		log.Fatal(err)
	}
}
