//go:build js && wasm

// Package edgeapi is the HTTP surface of the edge Worker.
package edgeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/syumai/workers/cloudflare"

	"github.com/lakeshore-hospitality/eider/internal/edgekv"
	"github.com/lakeshore-hospitality/eider/internal/portal"
	"github.com/lakeshore-hospitality/eider/internal/rates"
)

// store is the raw inventory binding, for calls that need SDK options.
type store struct {
	kv *cloudflare.KVNamespace
}

// deps groups everything the handlers read and write.
type deps struct {
	store   store
	catalog *rates.Catalog
	portal  *portal.Portal
}

type app struct {
	deps deps
}

// bindings are the adapted namespaces.
type bindings struct {
	Inventory *edgekv.Namespace
	Rates     *edgekv.Namespace
	Portal    *edgekv.Namespace
	Links     *edgekv.Namespace
	Hooks     *edgekv.Namespace
}

type env struct {
	bindings
	colo string
}

// Server is the Worker's http.Handler. Namespaces are promoted from env.
type Server struct {
	env
	app *app
	mux *http.ServeMux
}

// kvPanic carries a KV failure out of a must-style helper.
type kvPanic struct {
	key string
	err error
}

func (p kvPanic) Error() string { return fmt.Sprintf("kv %s: %v", p.key, p.err) }

func mustGet(ns *edgekv.Namespace, key string) string {
	v, err := ns.Raw().GetString(key, nil)
	if err != nil {
		panic(kvPanic{key, err})
	}
	return v
}

func mustPut(ns *edgekv.Namespace, key, value string) {
	if err := ns.Put(key, value, 0); err != nil {
		panic(kvPanic{key, err})
	}
}

// New builds the server for one request's runtime context.
func New(ctx context.Context) (*Server, error) {
	nss, err := edgekv.Open(ctx)
	if err != nil {
		return nil, err
	}
	b := bindings{
		Inventory: nss[edgekv.Inventory],
		Rates:     nss[edgekv.Rates],
		Portal:    nss[edgekv.Portal],
		Links:     nss[edgekv.Links],
		Hooks:     nss[edgekv.Hooks],
	}
	s := &Server{
		env: env{bindings: b},
		app: &app{deps: deps{
			store:   store{kv: b.Inventory.Raw()},
			catalog: rates.NewCatalog(b.Rates),
			portal:  portal.New(b.Portal),
		}},
		mux: http.NewServeMux(),
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /availability", s.availability)
	s.mux.HandleFunc("POST /holds", s.placeHold)
	s.mux.HandleFunc("POST /holds/{id}/extend", s.extendHold)
	s.mux.HandleFunc("POST /holds/{id}/renew", s.renewHold)
	s.mux.HandleFunc("POST /portal/login", s.login)
	s.mux.HandleFunc("GET /portal/me", s.me)
	s.mux.HandleFunc("POST /portal/logout", s.logout)
	s.mux.HandleFunc("POST /portal/cart", s.addToCart)
	s.mux.HandleFunc("POST /portal/notes", s.addNote)
	s.mux.HandleFunc("POST /groups/claim", s.claimGroup)
	s.mux.HandleFunc("GET /confirm/{code}", s.confirm)
	s.mux.HandleFunc("GET /magic/{token}", s.magic)
	s.mux.HandleFunc("POST /hooks/{ota}", s.webhook)
	s.mux.HandleFunc("GET /ota/{ota}/connect", s.connect)
	s.mux.HandleFunc("GET /ota/callback", s.connectCallback)
	s.mux.HandleFunc("GET /rates/{plan}/{room}", s.plan)
	s.mux.HandleFunc("POST /rates/{plan}/preview", s.preview)
	s.mux.HandleFunc("GET /admin/holds", s.adminHolds)
	s.mux.HandleFunc("GET /admin/keys", s.adminKeys)
	s.mux.HandleFunc("GET /admin/dashboard", s.dashboard)
	s.mux.HandleFunc("POST /admin/plans/published", s.published)
}

// ServeHTTP turns a panic from a must-style helper into a 503.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		rec := recover()
		if rec == nil {
			return
		}
		var kp kvPanic
		if err, ok := rec.(error); ok && errors.As(err, &kp) {
			log.Printf("edgeapi: %v", kp)
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		log.Printf("edgeapi: panic: %v", rec)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}()
	s.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	switch {
	case edgekv.IsNotFound(err):
		http.Error(w, "not found", http.StatusNotFound)
	default:
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}
