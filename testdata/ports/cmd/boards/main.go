// Command boards wires two boards: one through a stack with a layer that
// raises lifetimes to a minute, one straight onto the adapter.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/ports/boards"
	"kvlint.test/ports/kvstore"
	"kvlint.test/ports/layers"
	"kvlint.test/ports/picks"
)

func main() {
	kv := &kvstore.KV{Client: cloudflare.NewClient(), Account: "acct", NSID: "ns"}
	floored := &boards.Board{KV: layers.Stack(kv, layers.WithTTLFloor(time.Minute))}
	bare := &boards.Board{KV: kv}
	http.HandleFunc("/flash", func(w http.ResponseWriter, r *http.Request) {
		_ = floored.Announce(r.Context(), "flash", "sale", 30*time.Second)
		_ = bare.Announce(r.Context(), "flash", "sale", 30*time.Second)
	})
	_ = picks.Remember(context.Background(), kv, "card", nil, false)
	_ = http.ListenAndServe(":8080", nil)
}
