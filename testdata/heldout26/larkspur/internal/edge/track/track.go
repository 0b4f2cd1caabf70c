//go:build js && wasm

// Package track records email opens through a tracking pixel.
package track

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
)

// pixel is a transparent 1x1 GIF.
var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// Tracker serves /o/{campaign}/{subscriber}.gif.
type Tracker struct {
	ns *kvbind.Namespace
	ks keys.Space
}

// New returns a Tracker.
func New(ns *kvbind.Namespace, ks keys.Space) *Tracker { return &Tracker{ns: ns, ks: ks} }

// ServeHTTP implements http.Handler. The pixel is always served; tracking
// failures are not the reader's problem.
func (t *Tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		w.Header().Set("Content-Type", "image/gif")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(pixel)
	}()
	campaignID, _, ok := strings.Cut(httpx.Tail(r, "/o/"), "/")
	if !ok || campaignID == "" {
		return
	}
	kv, err := t.ns.Handle()
	if err != nil {
		return
	}
	bump := func(key string) error {
		v, err := kv.GetString(key, nil)
		if err != nil {
			return err
		}
		n := 0
		if v != "<null>" {
			n, _ = strconv.Atoi(v)
		}
		return kv.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	}
	_ = bump(t.ks.Prefix() + "opens:" + campaignID)
	_ = kv.PutString(t.ks.Prefix()+"stats:last-open", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
}
