//go:build js && wasm

// Package edge holds the storefront's HTTP handlers as served by the Worker.
package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/thistle/internal/boxes"
	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/edgekv"
	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/promo"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/repo"
	"example.com/thistle/internal/sessions"
	"example.com/thistle/internal/slots"
	"example.com/thistle/internal/store"
)

// Preferences are a customer's dietary settings.
type Preferences struct {
	Vegetarian bool     `json:"vegetarian"`
	Exclude    []string `json:"exclude"`
	Servings   int      `json:"servings"`
}

var prefsKey = keys.New[Preferences]("prefs")

// Server bundles what the handlers need.
type Server struct {
	ns       *edgekv.Namespace
	raw      *kv.Namespace
	clock    clock.Clock
	catalog  *recipes.Catalog
	boxes    *boxes.Service
	slots    *slots.Service
	promos   *promo.Service
	sessions *sessions.Service
	prefs    *repo.Repo[Preferences]
	onOrder  []func(context.Context, string) error
}

// NewServer builds a Server.
func NewServer(ns *edgekv.Namespace, c clock.Clock, cat *recipes.Catalog, bx *boxes.Service, sl *slots.Service, pr *promo.Service, ss *sessions.Service) *Server {
	return &Server{
		ns:       ns,
		raw:      ns.Binding(),
		clock:    c,
		catalog:  cat,
		boxes:    bx,
		slots:    sl,
		promos:   pr,
		sessions: ss,
		prefs:    repo.New(store.Store(ns), prefsKey, repo.WithTTL(180*24*time.Hour)),
	}
}

// OnOrder registers a callback run after an order is confirmed.
func (s *Server) OnOrder(fn func(context.Context, string) error) {
	s.onOrder = append(s.onOrder, fn)
}

// Routes returns the storefront mux.
func (s *Server) Routes(authed, kitchen httpx.Middleware) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /recipes/{id}", s.recipe)
	mux.HandleFunc("GET /recipes/{id}/reviews", s.reviews)
	mux.Handle("POST /recipes/{id}/reviews", authed(http.HandlerFunc(s.addReview)))
	mux.HandleFunc("GET /menu/{week}", s.menu)
	mux.HandleFunc("GET /banner", s.banner)
	mux.HandleFunc("GET /sitemap.json", s.sitemap)
	mux.HandleFunc("GET /promos/{code}", s.promo)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.requestLink)
	mux.Handle("GET /profile", authed(http.HandlerFunc(s.profile)))
	mux.HandleFunc("GET /login/{token}", s.redeemLink)
	mux.Handle("POST /logout", authed(http.HandlerFunc(s.logout)))
	mux.Handle("GET /box/{week}", authed(http.HandlerFunc(s.box)))
	mux.Handle("POST /box/{week}/recipes", authed(http.HandlerFunc(s.choose)))
	mux.Handle("POST /box/{week}/skip", authed(http.HandlerFunc(s.skip)))
	mux.Handle("POST /checkout", authed(http.HandlerFunc(s.checkout)))
	mux.Handle("PUT /prefs", authed(http.HandlerFunc(s.updatePrefs)))
	mux.Handle("POST /deliveries/{order}/notes", authed(http.HandlerFunc(s.addNote)))
	mux.HandleFunc("GET /slots/{zone}/{date}", s.available)
	mux.Handle("POST /kitchen/menu/{week}", kitchen(http.HandlerFunc(s.publishMenu)))
	mux.Handle("POST /kitchen/windows", kitchen(http.HandlerFunc(s.importWindows)))
	mux.Handle("GET /kitchen/keys", kitchen(http.HandlerFunc(s.keys)))
	mux.Handle("GET /kitchen/export", kitchen(http.HandlerFunc(s.export)))
	mux.Handle("GET /kitchen/supplier/{week}", kitchen(http.HandlerFunc(s.supplierSheet)))
	return mux
}

func (s *Server) week(r *http.Request) string {
	if w := r.PathValue("week"); w != "" && w != "current" {
		return w
	}
	return clock.WeekID(s.clock.Now().AddDate(0, 0, 7))
}

func customer(r *http.Request) string {
	sess, _ := httpx.SessionFrom(r.Context())
	return sess.CustomerID
}

func decodeJSON[T any](r *http.Request) (T, error) {
	var v T
	err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(&v)
	return v, err
}
