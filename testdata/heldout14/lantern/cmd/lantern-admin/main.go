//go:build js && wasm

// Command lantern-admin is the operator Worker. It is deployed without a
// public route and reached through Cloudflare Access:
//
//	curl -X POST https://admin.lantern.internal/run?ns=LANTERN \
//	     -H "Authorization: Bearer $TOKEN" -d 'export -prefix t/acme/'
//
// The body's first line holds the command; the rest is its input.
package main

import (
	"bufio"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/admin"
)

func run(w http.ResponseWriter, r *http.Request) {
	want := "Bearer " + cloudflare.Getenv("LANTERN_ADMIN_TOKEN")
	if len(want) < 20 || subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	binding := r.URL.Query().Get("ns")
	if binding == "" {
		binding = "LANTERN"
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, 32<<20))
	line, _ := body.ReadString('\n')
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	tool := &admin.Tool{NS: ns, Out: w, In: body}
	if err := tool.Run(strings.Fields(line)); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

func main() {
	http.HandleFunc("POST /run", run)
	workers.Serve(nil)
}
