//go:build js && wasm

// Command edge-router is the Worker that serves every hosted site at the edge.
package main

import (
	"github.com/syumai/workers"

	"github.com/condor-hosting/condor/worker/router"
)

func main() {
	workers.Serve(router.New())
}
