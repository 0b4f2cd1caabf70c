// Command ptarmigan-api is the backend API used by the creator dashboard,
// the CDN log shipper and the billing system.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"ptarmigan/internal/access"
	"ptarmigan/internal/analytics"
	"ptarmigan/internal/catalog"
	"ptarmigan/internal/config"
	"ptarmigan/internal/feeds"
	"ptarmigan/internal/kvstore"
	"ptarmigan/internal/publishing"
)

type server struct {
	cfg      config.Config
	root     kvstore.Scope
	feeds    *feeds.Service
	listings *catalog.Listings
	claims   *catalog.Claims
	tokens   *access.Tokens
	runner   *publishing.Runner
	rollup   *analytics.Rollup
	limiter  *limiter
}

func main() {
	cfg, err := config.Load(flag.CommandLine, os.Args[1:])
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(2)
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
	root := kvstore.Open(client, cfg.AccountID, cfg.NamespaceID)

	origin := feeds.NewOrigin(cfg.OriginURL)
	fs := feeds.NewService(root, origin, cfg)
	listings := catalog.NewListings(root, cfg)
	src := &originEpisodes{origin: origin}

	pub := &publishing.Publisher{}
	pub.Subscribe(
		publishing.DispatchSubscriber{D: publishing.NewDispatcher(root, listings, fs)},
		publishing.LatestEpisode{Root: root},
		publishing.SearchIndex{Root: root},
	)
	host, _ := os.Hostname()

	s := &server{
		cfg:      cfg,
		root:     root,
		feeds:    fs,
		listings: listings,
		claims:   catalog.NewClaims(client, root, cfg.AccountID, cfg.NamespaceID),
		tokens:   access.NewTokens(root, cfg.MaxListPages),
		runner:   publishing.NewRunner(root, host, cfg.LeaseTTL, listings, pub, src),
		rollup:   analytics.NewRollup(root),
		limiter:  newLimiter(root, 600),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go s.flushLoop(ctx)

	srv := &http.Server{Addr: cfg.Listen, Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/feeds/{show}", s.getFeed)
	mux.HandleFunc("GET /v1/episodes/{id}/status", s.getStatus)
	mux.HandleFunc("PUT /v1/shows/{show}/slug", s.putSlug)
	mux.HandleFunc("PUT /v1/shows/{show}/domain", s.putDomain)
	mux.HandleFunc("POST /v1/shows/{show}/tokens", s.postToken)
	mux.HandleFunc("DELETE /v1/tokens/{token}", s.deleteToken)
	mux.HandleFunc("DELETE /v1/subscribers/{id}/tokens", s.deleteSubscriberTokens)
	mux.HandleFunc("POST /v1/shows/{show}/jobs", s.postJob)
	mux.HandleFunc("POST /v1/ingest/cdn", s.ingestCDN)
	mux.HandleFunc("GET /v1/admin/listings", s.browseListings)
	mux.HandleFunc("GET /v1/admin/listings/export", s.exportListings)
	return mux
}

func (s *server) flushLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.rollup.Flush(ctx); err != nil {
				slog.Error("flush downloads", "err", err)
			}
		}
	}
}

func reply(w http.ResponseWriter, contentType string, b []byte, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(b)
}

func replyJSON(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, kvstore.ErrNotFound), errors.Is(err, feeds.ErrNoFeed), errors.Is(err, catalog.ErrNoDomain):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, catalog.ErrSlugTaken), errors.Is(err, catalog.ErrDomainTaken), errors.Is(err, kvstore.ErrLeaseHeld):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, errBadRequest):
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		slog.Error("request failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

var errBadRequest = errors.New("bad request")

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return nil
}

func (s *server) getFeed(w http.ResponseWriter, r *http.Request) {
	b, err := s.feeds.Feed(r.Context(), r.PathValue("show"))
	reply(w, "application/rss+xml; charset=utf-8", b, err)
}

func (s *server) getStatus(w http.ResponseWriter, r *http.Request) {
	b, err := s.feeds.Status(r.Context(), r.PathValue("id"))
	reply(w, "application/json", b, err)
}

func (s *server) putSlug(w http.ResponseWriter, r *http.Request) {
	var body struct{ Slug string }
	err := decode(r, &body)
	if err == nil {
		err = s.claims.ClaimSlug(r.Context(), body.Slug, r.PathValue("show"))
	}
	replyJSON(w, http.StatusOK, body, err)
}

func (s *server) putDomain(w http.ResponseWriter, r *http.Request) {
	var body struct{ Host string }
	err := decode(r, &body)
	if err == nil {
		err = s.claims.ClaimDomain(r.Context(), body.Host, r.PathValue("show"))
	}
	replyJSON(w, http.StatusOK, body, err)
}

func (s *server) postToken(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.Allow(r.Context(), r.Header.Get("X-Api-Key")) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	var body struct {
		Subscriber string
		Days       int
	}
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	validFor := time.Duration(max(body.Days, 1)) * 24 * time.Hour
	tok, err := s.tokens.Issue(r.Context(), r.PathValue("show"), body.Subscriber, validFor)
	replyJSON(w, http.StatusCreated, map[string]any{"token": tok.Token, "expires_at": tok.ExpiresAt}, err)
}

func (s *server) deleteToken(w http.ResponseWriter, r *http.Request) {
	err := s.tokens.Revoke(r.Context(), r.PathValue("token"))
	replyJSON(w, http.StatusOK, map[string]bool{"revoked": err == nil}, err)
}

func (s *server) deleteSubscriberTokens(w http.ResponseWriter, r *http.Request) {
	n, err := s.tokens.RevokeSubscriber(r.Context(), r.PathValue("id"))
	replyJSON(w, http.StatusOK, map[string]int{"revoked": n}, err)
}

func (s *server) postJob(w http.ResponseWriter, r *http.Request) {
	var body struct{ Episodes []string }
	if err := decode(r, &body); err != nil {
		fail(w, err)
		return
	}
	job, err := s.runner.Enqueue(r.Context(), r.PathValue("show"), body.Episodes)
	if err == nil {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			if err := s.runner.Run(ctx, job.ID); err != nil {
				slog.Error("publishing job failed", "job", job.ID, "err", err)
			}
		}()
	}
	replyJSON(w, http.StatusAccepted, job, err)
}

// cdnEvent is one line of the CDN's download log.
type cdnEvent struct {
	EpisodeID string `json:"episode_id"`
	Bytes     int64  `json:"bytes"`
	Complete  bool   `json:"complete"`
}

func (s *server) ingestCDN(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	var events []cdnEvent
	if err := json.Unmarshal(body, &events); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	for _, ev := range events {
		if ev.Complete {
			s.rollup.Record(ev.EpisodeID, 1)
		}
	}
	ingest := s.root.Scope("ingest", "cdn")
	if err := ingest.Put(r.Context(), "last-batch", body, 7*24*time.Hour); err != nil { // EXPECT kvhotkey
		slog.Warn("ingest: keeping last batch", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *server) browseListings(w http.ResponseWriter, r *http.Request) {
	names, next, err := s.listings.Browse(r.Context(), r.URL.Query().Get("cursor"))
	replyJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next}, err)
}

func (s *server) exportListings(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	if err := s.listings.Export(r.Context(), w); err != nil {
		slog.Error("export listings", "err", err)
	}
}
