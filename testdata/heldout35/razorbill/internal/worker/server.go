//go:build js && wasm

// Package worker is the edge Worker: listener sessions, subscriptions,
// downloads, feeds and uploads, all backed by Workers KV.
package worker

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"razorbill/internal/config"
	"razorbill/internal/events"
	"razorbill/internal/keys"
	"razorbill/internal/kvstore"
)

// Episode is the stored episode record.
type Episode struct {
	ID        keys.EpisodeID `json:"id"`
	Show      keys.ShowID    `json:"show"`
	Title     string         `json:"title"`
	AudioURL  string         `json:"audio_url"`
	Bytes     int64          `json:"bytes"`
	PublishAt time.Time      `json:"publish_at"`
}

// Feed is a rendered show feed.
type Feed struct {
	Show     keys.ShowID `json:"show"`
	XML      string      `json:"xml"`
	Built    time.Time   `json:"built"`
	Episodes int         `json:"episodes"`
}

// Server holds the bindings and shared state of the Worker.
type Server struct {
	sessions *kvstore.Store
	content  *kvstore.Store
	stats    *kvstore.Store
	bus      *events.Bus
	cfg      config.Worker

	feeds    *kvstore.Cache[keys.ShowID, Feed]
	episodes *kvstore.Cache[keys.EpisodeID, Episode]
	previews *kvstore.Cache[string, Episode]

	incPlays, readPlays func(string) (int, error)

	mu           sync.Mutex
	pendingViews map[keys.EpisodeID]int
}

// New binds the KV namespaces and registers the event subscribers.
func New(cfg config.Worker) (*Server, error) {
	sessions, err := kvstore.Open("SESSIONS")
	if err != nil {
		return nil, err
	}
	content, err := kvstore.Open("CONTENT")
	if err != nil {
		return nil, err
	}
	stats, err := kvstore.Open("STATS")
	if err != nil {
		return nil, err
	}
	s := &Server{
		sessions:     sessions,
		content:      content,
		stats:        stats,
		bus:          events.NewBus(),
		cfg:          cfg,
		pendingViews: make(map[keys.EpisodeID]int),
	}
	s.feeds = kvstore.NewCache[keys.ShowID, Feed](content, keys.FeedKey, cfg.Feed.TTL)
	s.episodes = kvstore.NewCache[keys.EpisodeID, Episode](content, func(id keys.EpisodeID) string {
		return "epcache/" + string(id)
	}, 10*time.Minute)
	s.previews = kvstore.NewCache[string, Episode](content, func(tok string) string {
		return "preview/" + tok
	}, 20*time.Second) // EXPECT kvttl
	s.incPlays, s.readPlays = kvstore.NewTally(stats, "plays")
	s.subscribe()
	return s, nil
}

// Routes returns the HTTP handler of the Worker.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.handleLogin())
	mux.HandleFunc("POST /logout", s.handleLogout())
	mux.HandleFunc("GET /magic", s.handleMagicLink())
	mux.HandleFunc("POST /magic", s.handleRequestMagicLink())
	mux.HandleFunc("GET /oauth/start", s.handleOAuthStart())
	mux.HandleFunc("GET /oauth/callback", s.handleOAuthCallback())
	mux.HandleFunc("GET /csrf", s.handleCSRF())
	mux.HandleFunc("POST /devices/{device}/revoke", s.handleRevokeDevice())
	mux.HandleFunc("GET /me", s.handleMe())
	mux.HandleFunc("POST /subscriptions", s.handleSubscribe())
	mux.HandleFunc("GET /subscriptions", s.handleListSubscriptions())
	mux.HandleFunc("DELETE /subscriptions/{show}", s.handleUnsubscribe())
	mux.HandleFunc("POST /shows/{show}/slug", s.handleClaimSlug())
	mux.HandleFunc("POST /shows/{show}/tags", s.handleAddTag())
	mux.HandleFunc("GET /d/{show}/{episode}", s.handleDownload())
	mux.HandleFunc("GET /stats/{episode}", s.handleStats())
	mux.HandleFunc("GET /e/{show}/{episode}", s.handleEpisodePage())
	mux.HandleFunc("POST /progress", s.handleProgress())
	mux.HandleFunc("GET /feed/{show}", s.handleFeed())
	mux.HandleFunc("GET /shows/{show}/episodes", s.handleEpisodesPage())
	mux.HandleFunc("GET /directory", s.handleDirectory())
	mux.HandleFunc("GET /directory/{category}", s.handleCategory())
	mux.HandleFunc("POST /uploads", s.handleUploadInit())
	mux.HandleFunc("PUT /uploads/{id}/{chunk}", s.handleUploadChunk())
	mux.HandleFunc("POST /uploads/{id}/complete", s.handleUploadComplete())
	mux.HandleFunc("GET /preview/{token}", s.handlePreview())
	return mux
}

func newID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
