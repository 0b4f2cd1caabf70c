//go:build !js

// Command juncoapi is the backend API: deposits, menu publishing, staff and
// no-show tracking. It writes to the same KV namespace as the Worker
// through the Cloudflare REST API.
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	"junco/internal/config"
	"junco/internal/deposits"
	"junco/internal/menuadmin"
	"junco/internal/noshow"
	"junco/internal/restkv"
	"junco/internal/staff"
)

type server struct {
	kv      *restkv.Namespace
	tracker noshow.Tracker
}

func (s server) markNoShow(w http.ResponseWriter, r *http.Request) {
	guestID := r.PathValue("gid")
	n, err := s.tracker.Record(r.Context(), guestID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"guest_id": guestID, "no_shows": n})
}

func (s server) book(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	stamp := time.Now().UTC().Format(time.RFC3339Nano)
	if err := s.kv.Put(ctx, "stats:last-booking-at", stamp, 0); err != nil { // EXPECT kvhotkey
		log.Printf("book: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	ns := restkv.New(cfg.APIToken, cfg.AccountID, cfg.NamespaceID)
	srv := server{kv: ns, tracker: noshow.Tracker{KV: ns, Concurrency: 8}}

	mux := http.NewServeMux()
	deposits.Handler{Svc: deposits.Service{KV: ns, Cfg: cfg}}.Register(mux)
	menuadmin.Handler{Pub: menuadmin.Publisher{KV: ns, Now: time.Now}}.Register(mux)
	staff.Handler{Svc: staff.Service{KV: ns}}.Register(mux)
	mux.HandleFunc("POST /v1/guests/{gid}/no-shows", srv.markNoShow)
	mux.HandleFunc("POST /v1/restaurants/{rid}/bookings", srv.book)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if _, _, err := ns.Get(ctx, "config:healthz"); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	log.Printf("juncoapi listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}
