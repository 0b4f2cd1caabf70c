// Command fleetd serves the fleet manager's device and console API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/takahe-iot/takahe/internal/checkin"
	"github.com/takahe-iot/takahe/internal/commands"
	"github.com/takahe-iot/takahe/internal/console"
	"github.com/takahe-iot/takahe/internal/kvstore"
	"github.com/takahe-iot/takahe/internal/pairing"
	"github.com/takahe-iot/takahe/internal/rollout"
	"github.com/takahe-iot/takahe/internal/settings"
	"github.com/takahe-iot/takahe/internal/shadow"
)

type config struct {
	Addr      string
	ReportTTL time.Duration
}

type server struct {
	cfg      config
	ns       *kvstore.Namespace
	log      *slog.Logger
	shadows  *shadow.Service
	cmds     *commands.Service
	sessions *console.Sessions
	tracker  *checkin.Tracker
	engine   *rollout.Engine
	settings *settings.Store
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ns := kvstore.New(client, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_ID"))
	cfg := config{Addr: ":8080", ReportTTL: 15 * time.Minute}
	if v, err := time.ParseDuration(os.Getenv("REPORT_TTL")); err == nil {
		cfg.ReportTTL = v
	}
	s := &server{
		cfg: cfg, ns: ns, log: log,
		shadows:  shadow.NewService(ns),
		cmds:     commands.NewService(ns),
		sessions: &console.Sessions{NS: ns, TTL: 12 * time.Hour, StateTTL: 10 * time.Minute, TokenTTL: 90 * 24 * time.Hour},
		tracker:  &checkin.Tracker{NS: ns, Log: log, Retain: 30 * 24 * time.Hour, MaxPages: 50},
		engine:   &rollout.Engine{NS: ns, Log: log, LockTT: 30 * time.Minute},
		settings: &settings.Store{NS: ns, Region: os.Getenv("REGION")},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/devices/{id}/checkin", s.checkin)
	mux.HandleFunc("POST /v1/devices/{id}/commands", s.enqueue)
	mux.HandleFunc("GET /v1/devices/{id}/shadow", s.shadow)
	mux.HandleFunc("GET /v1/queues", s.queues)
	mux.HandleFunc("POST /v1/pair/{code}", s.redeem)
	mux.HandleFunc("POST /v1/rollouts/{id}/advance", s.advance)
	mux.HandleFunc("PATCH /v1/fleets/{name}/settings", s.patchSettings)
	mux.HandleFunc("POST /v1/logout", s.logout)
	mux.HandleFunc("GET /v1/reports/census", s.census)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: cfg.Addr, Handler: mux}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func writeJSON(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) checkin(w http.ResponseWriter, r *http.Request) {
	id, fleet := r.PathValue("id"), r.Header.Get("X-Fleet")
	now := time.Now().UTC()
	errc := make(chan error, 1)
	s.tracker.Record(r.Context(), fleet, id, now, func(err error) { errc <- err })
	if rev := r.Header.Get("X-Firmware"); rev != "" {
		if err := s.shadows.SetRevision(r.Context(), id, rev); err != nil {
			s.log.Warn("revision", "device", id, "err", err)
		}
	}
	if err := s.ns.Put(r.Context(), "fleet/last-checkin", []byte(id+" "+now.Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		s.log.Warn("last checkin", "err", err)
	}
	q, qerr := s.cmds.Peek(r.Context(), id).Await(r.Context())
	if errors.Is(qerr, kvstore.ErrNotFound) {
		q, qerr = commands.Queue{}, nil
	}
	if err := <-errc; err != nil {
		qerr = err
	}
	writeJSON(w, q, qerr)
}

func (s *server) enqueue(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	type res struct {
		id  string
		err error
	}
	ch := make(chan res, 1)
	s.cmds.Enqueue(r.Context(), r.PathValue("id"), body.Name, body.Args, func(id string, err error) { ch <- res{id, err} })
	out := <-ch
	writeJSON(w, map[string]string{"id": out.id}, out.err)
}

func (s *server) shadow(w http.ResponseWriter, r *http.Request) {
	v, err := s.shadows.Render(r.Context(), r.PathValue("id"))
	writeJSON(w, v, err)
}

func (s *server) queues(w http.ResponseWriter, r *http.Request) {
	devices, next, err := s.cmds.Page(r.Context(), r.URL.Query().Get("cursor"))
	writeJSON(w, map[string]any{"devices": devices, "cursor": next}, err)
}

func (s *server) redeem(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessions.Lookup(r.Context(), r.Header.Get("X-Session"))
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	device, err := pairing.Redeem(r.Context(), s.ns, pairing.DefaultConfig, r.PathValue("code"), sess.Operator, r.Header.Get("CF-Connecting-IP"))
	writeJSON(w, map[string]string{"device": device}, err)
}

func (s *server) advance(w http.ResponseWriter, r *http.Request) {
	err := s.engine.Advance(r.Context(), r.PathValue("id"))
	writeJSON(w, map[string]bool{"ok": err == nil}, err)
}

func (s *server) patchSettings(w http.ResponseWriter, r *http.Request) {
	var patch map[string]any
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f, err := s.settings.Patch(r.Context(), r.PathValue("name"), patch).Await(r.Context())
	writeJSON(w, f, err)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Logout(r.Context(), r.Header.Get("X-Session")); err != nil {
		http.Error(w, "logout failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) census(w http.ResponseWriter, r *http.Request) {
	if raw, err := s.ns.Get(r.Context(), "reports/census"); err == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
		return
	}
	counts, err := s.tracker.Census(r.Context())
	if err != nil {
		writeJSON(w, nil, err)
		return
	}
	raw, _ := json.Marshal(counts)
	_, err = s.ns.Client.KV.Namespaces.Values.Update(r.Context(), s.ns.ID, "reports/census", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(s.cfg.ReportTTL)), // EXPECT kvttl
		Metadata:      cloudflare.F[any](map[string]string{"fleets": strconv.Itoa(len(counts))}),
	})
	if err != nil {
		s.log.Warn("census cache", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}
