//go:build js && wasm

// Package edge is the image and download edge Worker. It resolves image
// variants from the manifests in KV (falling back to D1), serves signed
// download links, and mints short-lived share links.
package edge

import (
	"database/sql"
	"fmt"
	"net/http"
	"sync"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

// Bindings are the Worker's resources, looked up once per isolate.
type Bindings struct {
	Variants *kv.Namespace // VARIANTS
	Links    *kv.Namespace // LINKS
	DB       *sql.DB       // CATALOGUE (D1)
	Secret   []byte
	Origin   string // R2 public bucket URL
}

var (
	bindOnce sync.Once
	bound    *Bindings
	bindErr  error
)

// Bind resolves the Worker's bindings from the environment.
func Bind() (*Bindings, error) {
	bindOnce.Do(func() {
		b := &Bindings{
			Secret: []byte(cloudflare.Getenv("LINK_SECRET")),
			Origin: cloudflare.Getenv("R2_PUBLIC_URL"),
		}
		if b.Variants, bindErr = kv.NewNamespace("VARIANTS"); bindErr != nil {
			return
		}
		if b.Links, bindErr = kv.NewNamespace("LINKS"); bindErr != nil {
			return
		}
		c, err := d1.OpenConnector("CATALOGUE")
		if err != nil {
			bindErr = fmt.Errorf("d1: %w", err)
			return
		}
		b.DB = sql.OpenDB(c)
		bound = b
	})
	return bound, bindErr
}

// Handler returns the Worker's fetch handler.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /img/{id}/{variant}", withBindings(serveVariant))
	mux.HandleFunc("GET /d/{id}", withBindings(serveDownload))
	mux.HandleFunc("POST /share", withBindings(createShare))
	mux.HandleFunc("GET /s/{code}", withBindings(resolveShare))
	mux.HandleFunc("GET /admin/keys", withBindings(adminKeys))
	mux.HandleFunc("GET /admin/expiring", withBindings(adminExpiring))
	return mux
}

func withBindings(h func(*Bindings, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := Bind()
		if err != nil {
			http.Error(w, "worker misconfigured", http.StatusInternalServerError)
			return
		}
		h(b, w, r)
	}
}
