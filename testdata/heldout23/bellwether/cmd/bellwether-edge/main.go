//go:build js && wasm

// Command bellwether-edge is the embed Worker.
package main

import (
	"github.com/syumai/workers"

	"example.com/bellwether/edge/embedworker"
)

func main() {
	workers.Serve(embedworker.New("POLLS", "https://api.bellwether.example").Handler())
}
