//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// kvNull is how a missing key comes back from GetString: the JS null is
// rendered by syscall/js.
const kvNull = "<null>"

const (
	edgeBinding   = "EDGE"
	assetsBinding = "INVOICE_PDFS"
	linksDO       = "PAYMENT_LINKS"
	portalDB      = "PORTAL_DB"
)

func edge() (*kv.Namespace, error) { return kv.NewNamespace(edgeBinding) }

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}
