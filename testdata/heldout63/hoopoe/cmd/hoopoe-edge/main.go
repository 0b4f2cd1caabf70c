//go:build js && wasm

// Command hoopoe-edge is the fetch Worker.
package main

import (
	"github.com/syumai/workers"

	"github.com/hoopoefm/hoopoe/internal/edge"
)

func main() {
	workers.Serve(edge.Handler())
}
