package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/deviceauth"
	"example.com/paddock/internal/inventory"
	"example.com/paddock/internal/leaderboard"
	"example.com/paddock/internal/legacy/banlist"
	"example.com/paddock/internal/lobby"
	"example.com/paddock/internal/lockout"
	"example.com/paddock/internal/matchmaking"
	"example.com/paddock/internal/presence"
	"example.com/paddock/internal/profile"
	"example.com/paddock/internal/replays"
	"example.com/paddock/internal/session"
	"example.com/paddock/internal/sms"
	"example.com/paddock/internal/store"
)

// Authenticator checks passwords against the account database.
type Authenticator interface {
	Verify(ctx context.Context, login, password string) (playerID string, err error)
}

// Server holds the dependencies of the HTTP handlers.
type Server struct {
	Store    store.Store
	Edge     cfkv.Namespace
	Sessions session.Manager
	Guard    lockout.Guard
	Auth     Authenticator
	Bans     banlist.List

	CreateLobby lobby.CreateLobby
	JoinLobby   lobby.JoinLobby
	ReadyCheck  lobby.StartReadyCheck
	Browse      lobby.Browse
	QuickJoin   lobby.QuickJoin
	Roster      *presence.Roster

	Queue  matchmaking.Queue
	Former matchmaking.Former

	Device deviceauth.Service
	SMS    sms.Verifier

	Inventory inventory.Service
	Board     leaderboard.Board
	Publisher leaderboard.Publisher
	Threads   replays.Threads
	Cards     replays.Summaries
	Profiles  profile.Directory

	InternalKey string
	Clock       func() time.Time
}

type ctxKey struct{}

func sessionFrom(ctx context.Context) session.Session {
	s, _ := ctx.Value(ctxKey{}).(session.Session)
	return s
}

// authed resolves the bearer session and passes it to next.
func (s *Server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found {
			fail(w, r, session.ErrNoSession)
			return
		}
		sess, err := s.Sessions.Lookup(r.Context(), token)
		if err != nil {
			fail(w, r, err)
			return
		}
		if sess, err = s.Sessions.Touch(r.Context(), sess); err != nil {
			fail(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	}
}

// self rejects requests whose {player} path value is not the caller.
func (s *Server) self(next http.HandlerFunc) http.HandlerFunc {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("player") != sessionFrom(r.Context()).PlayerID {
			fail(w, r, apperr.ErrForbidden)
			return
		}
		next(w, r)
	})
}

// internal guards the endpoints called by the game servers.
func (s *Server) internal(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-Internal-Key")
		if s.InternalKey == "" || subtle.ConstantTimeCompare([]byte(key), []byte(s.InternalKey)) != 1 {
			fail(w, r, apperr.ErrForbidden)
			return
		}
		next(w, r)
	}
}

// Routes returns the API mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()

	s.authRoutes(mux)
	s.lobbyRoutes(mux)
	s.gameRoutes(mux)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}
