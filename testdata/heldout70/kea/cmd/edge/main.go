//go:build js && wasm

// Command edge is the riders' Worker (fare quotes and trip status).
package main

import (
	"log"

	"github.com/syumai/workers"

	"github.com/kea-mobility/kea/internal/edge"
)

func main() {
	srv, err := edge.New()
	if err != nil {
		log.Fatal(err)
	}
	workers.Serve(srv.Routes())
}
