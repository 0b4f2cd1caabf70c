// Package httpapi is the waiting room's HTTP surface: Go 1.22 ServeMux
// patterns in front of the use cases, with JSON presenters and errors that
// carry their status.
package httpapi

import (
	"net/http"
	"strings"
	"time"

	"example.com/wharf/internal/abtest"
	"example.com/wharf/internal/admission"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/nonce"
	"example.com/wharf/internal/polls"
	"example.com/wharf/internal/presence"
	"example.com/wharf/internal/referral"
	"example.com/wharf/internal/storage"
	"example.com/wharf/internal/waitroom"
)

// Server holds the use cases the routes call.
type Server struct {
	Store     storage.Store
	Join      waitroom.JoinQueue
	Position  waitroom.PositionQuery
	Admission *admission.Service
	Presence  *presence.Tracker
	Vote      polls.CastVote
	Results   polls.ResultsQuery
	Referrals *referral.Service
	Nonces    nonce.Guard
	AB        *abtest.Assigner
	Clock     func() time.Time
	// AdminToken guards the /admin routes.
	AdminToken string
}

// Routes returns the complete handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("POST /drops/{drop}/queue", s.handleJoin)
	mux.HandleFunc("GET /drops/{drop}/queue/{ticket}", s.handlePosition)
	mux.HandleFunc("POST /drops/{drop}/queue/{ticket}/admission", s.handleAdmit)
	mux.HandleFunc("GET /drops/{drop}/capacity", s.handleCapacity)

	mux.HandleFunc("GET /admission/{token}", s.handleKeepAlive)
	mux.HandleFunc("POST /checkout/{token}", s.handleCheckout)

	mux.HandleFunc("POST /lobby/{room}/heartbeat", s.handleHeartbeat)

	mux.HandleFunc("POST /polls/{poll}/votes", s.handleVote)
	mux.HandleFunc("GET /polls/{poll}", s.handleResults)

	mux.HandleFunc("POST /referrals", s.handleClaim)
	mux.HandleFunc("POST /referrals/{code}/redemptions", s.handleRedeem)

	mux.HandleFunc("GET /experiments/{exp}/assignment", s.handleAssign)

	admin := http.NewServeMux()
	admin.HandleFunc("GET /admin/keys", s.handleKeys)
	admin.HandleFunc("GET /admin/lobby/{room}", s.handleLobbyDetails)
	admin.HandleFunc("GET /admin/drops/{drop}/waiting", s.handleWaiting)
	admin.HandleFunc("POST /admin/tokens/{token}/revocation", s.handleRevoke)
	mux.Handle("/admin/", s.requireAdmin(admin))

	return s.stampLastRequest(s.Nonces.Middleware(mux, writeError))
}

// stampLastRequest records when this Worker last served traffic, for the
// status page.
func (s *Server) stampLastRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stamp := []byte(s.Clock().UTC().Format(time.RFC3339))
		if err := s.Store.Put(r.Context(), keys.EdgeLastRequest, stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			w.Header().Set("X-Wharf-Status", "degraded")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.AdminToken == "" || got != s.AdminToken {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func visitorOf(r *http.Request) string {
	if c, err := r.Cookie("wharf_vid"); err == nil {
		return c.Value
	}
	return r.Header.Get("X-Wharf-Visitor")
}
