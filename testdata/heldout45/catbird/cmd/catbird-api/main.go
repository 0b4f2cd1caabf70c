//go:build !js

// Command catbird-api is the origin: the moderator and member API behind
// the Worker. It owns Postgres and keeps the FORUM and SESSIONS namespaces
// in step with it.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"catbird/internal/digest"
	"catbird/internal/forum"
	"catbird/internal/kvrest"
	"catbird/internal/modqueue"
	"catbird/internal/threads"
)

type app struct {
	forumKV  kvrest.Store
	sessKV   kvrest.Store
	threads  *threads.Service
	queue    modqueue.Queue
	prefs    digest.Prefs
	instance string

	mu   sync.Mutex
	hits map[string]int64
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("catbird-api: %s is not set", name)
	}
	return v
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	forumKV, err := kvrest.New(mustEnv("CF_API_TOKEN"), mustEnv("CF_ACCOUNT_ID"), mustEnv("KV_FORUM_ID"))
	if err != nil {
		log.Fatal(err)
	}
	sessKV := forumKV.WithNamespace(mustEnv("KV_SESSIONS_ID"))

	db, err := sql.Open("pgx", mustEnv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	cfg := threads.DefaultConfig
	if v := os.Getenv("THREAD_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			log.Fatalf("THREAD_CACHE_TTL: %v", err)
		}
		cfg.ThreadTTL = d
	}

	host, _ := os.Hostname()
	a := &app{
		forumKV:  forumKV,
		sessKV:   sessKV,
		threads:  threads.New(forumKV, db, cfg),
		queue:    modqueue.Default(forumKV),
		prefs:    digest.Prefs{API: forumKV.API, Account: forumKV.Account, NamespaceID: forumKV.NamespaceID},
		instance: host,
		hits:     map[string]int64{},
	}

	mux := http.NewServeMux()
	a.route(mux, "GET /threads/{id}", a.getThread)
	a.route(mux, "POST /threads", a.createThread)
	a.route(mux, "POST /threads/{id}/replies", a.addReply)
	a.route(mux, "POST /threads/{id}/lock", a.lockThread)
	a.route(mux, "POST /threads/{id}/feature", a.featureThread)
	a.route(mux, "DELETE /threads/{id}", a.deleteThread)
	a.route(mux, "GET /modqueue", a.listQueue)
	a.route(mux, "POST /reports", a.fileReport)
	a.route(mux, "POST /modqueue/{id}/resolve", a.resolveReport)
	a.route(mux, "PUT /members/{id}/digest", a.updateDigest)
	a.route(mux, "POST /members/{id}/password", a.passwordChanged)
	a.route(mux, "POST /magic/{token}", a.redeemMagicLink)

	go a.flushHits(ctx, time.Minute)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	log.Printf("catbird-api listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func (a *app) route(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.hits[pattern]++
		a.mu.Unlock()
		h(w, r)
	})
}

// flushHits publishes this instance's request counters for the status page.
func (a *app) flushHits(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.mu.Lock()
		snapshot := maps.Clone(a.hits)
		a.mu.Unlock()
		for _, pattern := range slices.Sorted(maps.Keys(snapshot)) {
			route := strings.NewReplacer(" ", "_", "/", ".", "{", "", "}", "").Replace(pattern)
			key := fmt.Sprintf("hits:api:%s:%s", a.instance, route)
			if err := a.forumKV.Put(ctx, key, []byte(strconv.FormatInt(snapshot[pattern], 10))); err != nil { // EXPECT kvcounter
				log.Printf("hits %s: %v", key, err)
			}
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, threads.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, threads.ErrSlugTaken):
		status = http.StatusConflict
	case errors.Is(err, forum.ErrBadSlug):
		status = http.StatusBadRequest
	}
	log.Printf("catbird-api: %v", err)
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// decode reads the JSON body into v and answers 400 itself on failure.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return false
	}
	return true
}

func (a *app) getThread(w http.ResponseWriter, r *http.Request) {
	t, err := a.threads.Thread(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (a *app) createThread(w http.ResponseWriter, r *http.Request) {
	var t forum.Thread
	if !decode(w, r, &t) {
		return
	}
	t, err := a.threads.Create(r.Context(), t)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (a *app) addReply(w http.ResponseWriter, r *http.Request) {
	threadID := r.PathValue("id")
	var p forum.Post
	if !decode(w, r, &p) {
		return
	}
	p.ID, p.ThreadID, p.CreatedAt = forum.NewID(), threadID, time.Now().UTC()
	if err := a.threads.AddReply(r.Context(), threadID, p); err != nil {
		fail(w, err)
		return
	}
	latest, _ := json.Marshal(struct {
		ThreadID string `json:"thread_id"`
		PostID   string `json:"post_id"`
		At       int64  `json:"at"`
	}{threadID, p.ID, p.CreatedAt.Unix()})
	if err := a.forumKV.Put(r.Context(), "threads:latest", latest); err != nil { // EXPECT kvhotkey
		log.Printf("threads:latest: %v", err)
	}
	writeJSON(w, http.StatusCreated, p)
}

func (a *app) lockThread(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Duration string `json:"duration"`
	}
	if !decode(w, r, &in) {
		return
	}
	d, err := time.ParseDuration(in.Duration)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if err := a.threads.Lock(r.Context(), r.PathValue("id"), time.Now().Add(d)); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) featureThread(w http.ResponseWriter, r *http.Request) {
	if err := a.threads.Feature(r.Context(), r.PathValue("id")); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) deleteThread(w http.ResponseWriter, r *http.Request) {
	if err := a.threads.Delete(r.Context(), r.PathValue("id")); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) listQueue(w http.ResponseWriter, r *http.Request) {
	entries, next, err := a.queue.Page(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries, "cursor": next})
}

func (a *app) fileReport(w http.ResponseWriter, r *http.Request) {
	var rep forum.Report
	if !decode(w, r, &rep) {
		return
	}
	rep, err := a.queue.File(r.Context(), rep)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, rep)
}

func (a *app) resolveReport(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ModeratorID string `json:"moderator_id"`
		Action      string `json:"action"`
	}
	if !decode(w, r, &in) {
		return
	}
	id := r.PathValue("id")
	rep, found, err := a.queue.Report(r.Context(), id)
	if err == nil && found && in.Action == "hide" {
		err = a.threads.HidePost(r.Context(), rep.ThreadID, rep.PostID)
	}
	if err == nil {
		err = a.queue.Resolve(r.Context(), id, in.ModeratorID, in.Action)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) updateDigest(w http.ResponseWriter, r *http.Request) {
	var c digest.Change
	if !decode(w, r, &c) {
		return
	}
	p, err := a.prefs.Apply(r.Context(), r.PathValue("id"), c)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
