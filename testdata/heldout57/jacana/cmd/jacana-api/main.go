// Command jacana-api is the backend HTTP API: catalog publishing, classroom
// invites, leaderboards and the export status feed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/lingofox/jacana/internal/catalog"
	"github.com/lingofox/jacana/internal/classroom"
	"github.com/lingofox/jacana/internal/export"
	"github.com/lingofox/jacana/internal/kvstore"
	"github.com/lingofox/jacana/internal/leaderboard"
	"github.com/lingofox/jacana/internal/pick"
)

var flushers []func(context.Context) error

func atExit(fn func(context.Context) error) { flushers = append(flushers, fn) }

func flushAll(ctx context.Context) {
	for _, fn := range slices.Backward(flushers) {
		if err := fn(ctx); err != nil {
			log.Printf("flush: %v", err)
		}
	}
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	ns := flag.String("namespace", os.Getenv("JACANA_KV_NAMESPACE"), "KV namespace ID")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := kvstore.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"), *ns)
	loc, err := time.LoadLocation(os.Getenv("JACANA_TZ"))
	if err != nil {
		loc = time.UTC
	}
	a := &api{
		base:  ctx,
		kv:    store,
		board: &leaderboard.Board{KV: store, MaxPages: 5},
		class: &classroom.Service{KV: store, Loc: loc},
		exp:   &export.Exporter{KV: store, Loc: loc, MaxPages: 200},
		pub:   &catalog.Publisher{KV: store, CacheFactor: 1.5},
	}
	atExit(a.exp.Close)
	atExit(a.flushStats)

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/invites", a.createInvite)
	mux.HandleFunc("/v1/invites/redeem", a.redeemInvite)
	mux.HandleFunc("/v1/leaderboard", a.leaderboardPage)
	mux.HandleFunc("/v1/leaderboard/stream", a.leaderboardStream)
	mux.HandleFunc("/v1/export/status", a.exportStatus)
	mux.HandleFunc("/v1/lessons/complete", a.lessonComplete)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	flushAll(shutdownCtx)
}

type api struct {
	base  context.Context
	kv    *kvstore.Store
	board *leaderboard.Board
	class *classroom.Service
	exp   *export.Exporter
	pub   *catalog.Publisher
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *api) createInvite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Class   string `json:"class"`
		Teacher string `json:"teacher"`
		MaxUses int    `json:"max_uses"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, err := a.class.CreateInvite(r.Context(), in.Class, in.Teacher, in.MaxUses)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusCreated, inv)
}

func (a *api) redeemInvite(w http.ResponseWriter, r *http.Request) {
	code, learner := r.URL.Query().Get("code"), r.URL.Query().Get("learner")
	class, err := a.class.Redeem(r.Context(), code, learner)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		http.Error(w, "unknown invite", http.StatusNotFound)
	case errors.Is(err, classroom.ErrInviteUsedUp):
		http.Error(w, err.Error(), http.StatusGone)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"class": class})
	}
}

func (a *api) leaderboardPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	week, _ := time.Parse("2006-01-02", q.Get("week"))
	y, wk := week.ISOWeek()
	entries, next, err := a.board.Page(r.Context(), q.Get("course"), y*100+wk, q.Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "cursor": next})
}

// leaderboardStream pushes the top ten as server-sent events every few
// seconds until the client goes away.
func (a *api) leaderboardStream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	course := r.URL.Query().Get("course")
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		y, wk := time.Now().ISOWeek()
		top, _, err := a.board.Top(r.Context(), course, y*100+wk, 10)
		if err != nil {
			return
		}
		raw, _ := json.Marshal(top)
		if _, err := w.Write(append(append([]byte("data: "), raw...), '\n', '\n')); err != nil {
			return
		}
		fl.Flush()
		_ = a.kv.Put(r.Context(), "lb:stream:"+course+":last-push", time.Now().UTC().Format(time.RFC3339), time.Hour) // EXPECT kvhotkey
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}

// exportStatus long-polls until the nightly export has written a status or
// the poll window ends.
func (a *api) exportStatus(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(70 * time.Second))
	deadline := time.After(55 * time.Second)
	for {
		st, ok, err := a.exp.LastStatus(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if ok {
			writeJSON(w, http.StatusOK, st)
			return
		}
		select {
		case <-deadline:
			w.WriteHeader(http.StatusNoContent)
			return
		case <-r.Context().Done():
			return
		case <-time.After(3 * time.Second):
		}
	}
}

// ackEntry is the de-duplication marker for a lesson completion. Retries get
// a shorter marker so that a stuck client can resubmit sooner.
func ackEntry(id string, retry bool) (string, string, time.Duration) {
	return "ack:" + id, "1", pick.If(retry, 30*time.Second, 10*time.Minute) // EXPECT kvttl
}

func (a *api) remember(key, value string, ttl time.Duration) error {
	return a.kv.Put(a.base, key, value, ttl)
}

func (a *api) lessonComplete(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID      string `json:"id"`
		Learner string `json:"learner"`
		Lesson  string `json:"lesson"`
		Retry   bool   `json:"retry"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if _, err := a.kv.Get(r.Context(), "ack:"+in.ID); err == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := a.remember(ackEntry(in.ID, in.Retry)); err != nil { // DEBATABLE kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = a.kv.Put(r.Context(), "stats:latest-completion", in.Lesson, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)

	go func(ctx context.Context) {
		key := "prefs:" + in.Learner + ":recent"
		var recent []string
		if raw, err := a.kv.Get(ctx, key); err == nil { // EXPECT kvnull
			_ = json.Unmarshal([]byte(raw), &recent)
		}
		recent = append([]string{in.Lesson}, recent...)
		recent = recent[:min(len(recent), 10)]
		out, _ := json.Marshal(recent)
		_ = a.kv.Put(ctx, key, string(out), 30*24*time.Hour) // EXPECT kvrace
	}(context.WithoutCancel(r.Context()))
}

// flushStats records how many completions this instance handled; it runs once
// at shutdown.
func (a *api) flushStats(ctx context.Context) error {
	host, _ := os.Hostname()
	return a.kv.PutFloor(ctx, "instances:"+host+":last", time.Now().UTC().Format(time.RFC3339), 20*time.Second)
}
