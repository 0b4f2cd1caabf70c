//go:build js && wasm

// Command edge is the fetch handler of the edge Worker.
package main

import (
	"github.com/syumai/workers"

	"github.com/ruffgate/ruff/internal/edge"
)

func main() {
	workers.Serve(edge.Handler())
}
