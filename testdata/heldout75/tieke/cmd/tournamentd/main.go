// Command tournamentd runs one shard of the live quiz tournament: the tick
// loop, the socket-facing HTTP API and the KV mirror the edge Worker reads.
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

	"tieke/internal/kvstore"
	"tieke/internal/quiz"
)

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("TIEKE_KV_NAMESPACE"))
	cfg := quiz.Config{
		TickRate:       envDuration("TIEKE_TICK", 50*time.Millisecond),
		CheckpointTTL:  envDuration("TIEKE_CHECKPOINT_TTL", 6*time.Hour),
		BoardCacheTTL:  envDuration("TIEKE_BOARD_TTL", 2*time.Minute),
		SessionTTL:     envDuration("TIEKE_SESSION_TTL", 12*time.Hour),
		RoundLength:    envDuration("TIEKE_ROUND", 20*time.Second),
		MaxRejoins:     envInt("TIEKE_MAX_REJOINS", 5),
		CheckpointEach: envInt("TIEKE_CHECKPOINT_EVERY", 600),
	}
	shard := os.Getenv("TIEKE_SHARD")
	if shard == "" {
		shard, _ = os.Hostname()
	}

	g := quiz.New(ctx, shard, ns, cfg, log)
	if err := g.Restore(ctx); err != nil {
		log.Error("restore", "err", err)
		os.Exit(1)
	}
	if n, err := g.AdoptOrphans(ctx, 5*time.Minute); err != nil {
		log.Warn("adopt orphans", "err", err)
	} else if n > 0 {
		log.Info("adopted orphaned shards", "count", n)
	}

	inbox := &quiz.Inbox{}
	g.Sched.Register("input", 1, &quiz.InputSystem{G: g, Inbox: inbox})

	api := &api{g: g, ns: ns, inbox: inbox}
	srv := &http.Server{Addr: ":" + cmpOr(os.Getenv("PORT"), "8080"), Handler: api.routes()}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http", "err", err)
			stop()
		}
	}()

	err := g.Sched.Run(ctx, time.Now)
	log.Info("stopping", "reason", err)

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	if err := g.SaveCheckpoint(shutdownCtx); err != nil {
		log.Error("final checkpoint", "err", err)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type api struct {
	g     *quiz.Game
	ns    *kvstore.Namespace
	inbox *quiz.Inbox
}

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rooms/{slug}/input", a.postInput)
	mux.HandleFunc("GET /rooms/{slug}/board", a.getBoard)
	mux.HandleFunc("GET /admin/checkpoints", a.listCheckpoints)
	return mux
}

func (a *api) postInput(w http.ResponseWriter, r *http.Request) {
	var in quiz.Input
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		http.Error(w, "bad input", http.StatusBadRequest)
		return
	}
	in.Room = r.PathValue("slug")
	in.At = time.Now()
	a.inbox.Post(in)
	w.WriteHeader(http.StatusAccepted)
}

// getBoard serves a room's final board, caching the rendered result.
func (a *api) getBoard(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	cacheKey := "board-render:" + slug
	if body, err := a.ns.Get(r.Context(), cacheKey); err == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	raw, err := a.ns.Get(r.Context(), "leaderboard:"+r.URL.Query().Get("room"))
	if err != nil {
		http.Error(w, "no board", http.StatusNotFound)
		return
	}
	var rows []quiz.BoardEntry
	if err := json.Unmarshal(raw, &rows); err != nil {
		http.Error(w, "corrupt board", http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(map[string]any{"slug": slug, "rows": rows, "rendered": time.Now().Unix()})
	_ = a.ns.PutCache(r.Context(), cacheKey, body, 30*time.Second)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// listCheckpoints returns one page of checkpoint keys and the cursor for the
// next page.
func (a *api) listCheckpoints(w http.ResponseWriter, r *http.Request) {
	keys, next, err := a.ns.ListPage(r.Context(), "checkpoint:", r.URL.Query().Get("cursor"), 100)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": next})
}
