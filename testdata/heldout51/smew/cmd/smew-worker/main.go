//go:build js && wasm

// Command smew-worker is the edge Worker serving officers' handhelds, the
// resident portal and the street signage.
package main

import (
	"log"

	"github.com/syumai/workers"

	"example.com/smew/internal/edge"
	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/kvstore/workerkv"
	"example.com/smew/internal/routing"
)

func main() {
	reg := kvstore.NewRegistry()
	reg.Register("kv", workerkv.Open)
	reg.Register("mem", kvstore.MemOpener())

	routes, err := routing.NewTable(map[string]string{
		"N": "PERMITS_NORTH",
		"S": "PERMITS_SOUTH",
		"C": "PERMITS_CENTRAL",
	}, "PERMITS", []string{"PERMITS"})
	if err != nil {
		log.Fatal(err)
	}
	workers.Serve(edge.NewServer(reg, routes))
}
