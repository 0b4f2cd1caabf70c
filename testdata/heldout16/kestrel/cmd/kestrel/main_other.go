//go:build !(js && wasm)

// Command kestrel is a Cloudflare Worker; build it with GOOS=js GOARCH=wasm.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "kestrel runs on Cloudflare Workers: build with GOOS=js GOARCH=wasm (see wrangler.toml)")
	os.Exit(2)
}
