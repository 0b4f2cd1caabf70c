// Command siskin-api is the backend: dashboard API, import jobs, purges and
// the listen-beacon rollup. It reaches KV over the Cloudflare REST API.
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
	"time"

	"github.com/siskinfm/siskin/internal/catalog"
	"github.com/siskinfm/siskin/internal/cfkv"
	"github.com/siskinfm/siskin/internal/feedtoken"
	"github.com/siskinfm/siskin/internal/importer"
	"github.com/siskinfm/siskin/internal/kvdb"
	"github.com/siskinfm/siskin/internal/kvstore"
	"github.com/siskinfm/siskin/internal/rollup"
)

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c := cfkv.New(cfkv.Config{
		APIToken:    os.Getenv("CF_API_TOKEN"),
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: os.Getenv("SISKIN_KV_NAMESPACE"),
		Timeout:     envDuration("SISKIN_KV_TIMEOUT", cfkv.DefaultTimeout),
	})
	kvstore.SetDefault(kvstore.New(c, ""))
	q := kvdb.New(c).WithNamespace(c.Namespace())

	cat := &catalog.Service{KV: c}
	tokens := &feedtoken.Manager{KV: c, Q: q}
	runner := &importer.Runner{KV: c, Q: q, HTTP: &http.Client{Timeout: time.Minute}, DraftTTL: envDuration("SISKIN_DRAFT_TTL", 30*24*time.Hour)}
	agg := rollup.NewAggregator(c, envDuration("SISKIN_ROLLUP_EVERY", time.Minute))
	go agg.Run(ctx)

	mux := http.NewServeMux()
	mux.Handle("POST /beacon", agg)
	mux.HandleFunc("GET /import/callback", importer.Callback(func(ctx context.Context, creatorID, host, code string) error {
		job := importer.Job{ID: strconv.FormatInt(time.Now().UnixNano(), 36), CreatorID: creatorID, Host: host}
		go func() {
			if err := runner.Run(context.WithoutCancel(ctx), job); err != nil {
				slog.Error("import failed", "job", job.ID, "err", err)
			}
		}()
		return nil
	}))
	mux.HandleFunc("GET /shows/{show}/episodes", func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		page, err := cat.ListEpisodes(r.Context(), r.PathValue("show"), r.URL.Query().Get("cursor"), limit)
		writeJSON(w, page, err)
	})
	mux.HandleFunc("GET /shows/{show}", func(w http.ResponseWriter, r *http.Request) {
		var v kvdb.ShowView
		err := q.GetShowView(r.Context(), r.PathValue("show"), &v)
		writeJSON(w, v, err)
	})
	mux.HandleFunc("GET /shows/{show}/report", func(w http.ResponseWriter, r *http.Request) {
		rows, next, err := cat.Report(r.Context(), r.PathValue("show"), r.URL.Query().Get("cursor"))
		writeJSON(w, map[string]any{"rows": rows, "cursor": next}, err)
	})
	mux.HandleFunc("DELETE /shows/{show}/episodes", func(w http.ResponseWriter, r *http.Request) {
		n, err := cat.PurgeShow(r.Context(), r.PathValue("show"))
		writeJSON(w, map[string]int{"deleted": n}, err)
	})
	mux.HandleFunc("PUT /shows/{show}/episodes/{ep}", func(w http.ResponseWriter, r *http.Request) {
		var in kvdb.Episode
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in.ShowID, in.ID = r.PathValue("show"), r.PathValue("ep")
		out, err := q.UpdateEpisode(r.Context(), in)
		writeJSON(w, out, err)
	})
	mux.HandleFunc("POST /shows/{show}/slug", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Slug string `json:"slug"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Slug == "" {
			http.Error(w, "slug required", http.StatusBadRequest)
			return
		}
		writeJSON(w, body, q.ClaimSlug(r.Context(), body.Slug, r.PathValue("show")))
	})
	mux.HandleFunc("POST /shows/{show}/settings/init", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, nil, q.InitShowSettings(r.Context(), r.PathValue("show"), r.Header.Get("Accept-Language")))
	})
	mux.HandleFunc("DELETE /shows/{show}/tokens/{tok}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, nil, tokens.Revoke(r.Context(), r.PathValue("show"), r.PathValue("tok")))
	})
	mux.HandleFunc("POST /shows/{show}/tokens/rotate", func(w http.ResponseWriter, r *http.Request) {
		n, err := tokens.RotateAll(r.Context(), r.PathValue("show"))
		writeJSON(w, map[string]int{"revoked": n}, err)
	})

	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if _, err := cat.PurgeExpiredDrafts(ctx, os.Getenv("SISKIN_HOUSE_SHOW"), now.AddDate(0, 0, -30)); err != nil {
					slog.Warn("draft purge", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("server", "err", err)
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
