//go:build js && wasm

// Package game implements the HTTP API of the trivia Worker.
package game

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/cache"
	"whimbrel/internal/config"
	"whimbrel/internal/events"
	"whimbrel/internal/keys"
	"whimbrel/internal/kvstore"
)

// Question is one trivia question as served to clients.
type Question struct {
	ID      int      `json:"id"`
	Bank    string   `json:"bank"`
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
	Answer  int      `json:"-"`
	Tags    []string `json:"tags,omitempty"`
}

// Server holds the bindings and shared state of the Worker.
type Server struct {
	sessions *kvstore.Store // SESSIONS binding
	game     *kvstore.Store // GAME binding
	cfg      config.KV
	bus      *events.Bus

	questions *cache.Cache[int, Question]
	profiles  *cache.Cache[keys.UserID, Profile]

	visits    func(day string) error
	hits      atomic.Int64
	startedAt time.Time
}

// NewServer binds the KV namespaces and registers the event subscribers.
func NewServer(cfg config.KV) (*Server, error) {
	sess, err := kvstore.Open("SESSIONS")
	if err != nil {
		return nil, err
	}
	g, err := kvstore.Open("GAME")
	if err != nil {
		return nil, err
	}
	s := &Server{sessions: sess, game: g, cfg: cfg, bus: events.New(), startedAt: time.Now()}

	qcfg := cfg
	qcfg.CacheTTL = 30 * time.Minute
	s.questions = cache.New[int, Question](g.Namespace(), func(id int) string {
		return keys.QuestionKey("default", id)
	}, qcfg.CacheTTL, 300)
	s.profiles = cache.New[keys.UserID, Profile](g.Namespace(), func(u keys.UserID) string {
		return "profilecache/" + string(u)
	}, 45*time.Second, 0) // EXPECT kvttl
	s.visits, _ = kvstore.NewTally(g.Namespace(), "visits")

	s.subscribe()
	return s, nil
}

// Routes returns the HTTP handler of the Worker.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.handleLogin())
	mux.HandleFunc("POST /logout", s.handleLogout())
	mux.HandleFunc("POST /session/touch", s.handleTouch())
	mux.HandleFunc("GET /oauth/callback", s.handleOAuthCallback())
	mux.HandleFunc("GET /magic/{code}", s.handleMagicLink())
	mux.HandleFunc("POST /password", s.handlePasswordChange())

	mux.HandleFunc("POST /lobbies", s.handleCreateLobby())
	mux.HandleFunc("GET /lobbies/{id}", s.handleGetLobby())
	mux.HandleFunc("POST /lobbies/{id}/join", s.handleJoinLobby())
	mux.HandleFunc("GET /lobbies", s.handleOpenLobbies())
	mux.HandleFunc("POST /lobbies/{id}/answers", s.handleAnswers())
	mux.HandleFunc("GET /lobbies/{id}/history", s.handleHistory())

	mux.HandleFunc("POST /invites", s.handleCreateInvite())
	mux.HandleFunc("POST /invites/{code}/redeem", s.handleRedeemInvite())
	mux.HandleFunc("GET /invites/{code}", s.handlePreviewInvite())

	mux.HandleFunc("GET /leaderboard/{board}", s.handleLeaderboard())
	mux.HandleFunc("POST /leaderboard/{board}", s.handleSubmitScore())
	mux.HandleFunc("GET /questions/{id}", s.handleQuestion())
	mux.HandleFunc("GET /banks/{bank}", s.handleBank())
	mux.HandleFunc("GET /admin/sessions", s.handleAdminSessions())
	return mux
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func bearer(r *http.Request) keys.SessionID {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") {
		if c, err := r.Cookie("sid"); err == nil {
			return keys.SessionID(c.Value)
		}
		return ""
	}
	return keys.SessionID(strings.TrimPrefix(h, "Bearer "))
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return "unknown"
}

// currentUser resolves the session of r.
func (s *Server) currentUser(r *http.Request) (Session, bool) {
	sid := bearer(r)
	if sid == "" {
		return Session{}, false
	}
	var sess Session
	if err := s.sessions.GetJSON(sid.Key(), &sess); err != nil {
		return Session{}, false
	}
	if time.Now().After(sess.ExpiresAt) {
		return Session{}, false
	}
	return sess, true
}

// raw is a shorthand for the GAME namespace binding.
func (s *Server) raw() *kv.Namespace { return s.game.Namespace() }
