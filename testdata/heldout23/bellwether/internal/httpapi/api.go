// Package httpapi is the JSON API used by the newsroom dashboard and by
// embeds.
package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"example.com/bellwether/internal/embed"
	"example.com/bellwether/internal/exports"
	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/polls"
	"example.com/bellwether/internal/ratelimit"
	"example.com/bellwether/internal/results"
	"example.com/bellwether/internal/sessions"
	"example.com/bellwether/internal/votes"
)

// API holds the handlers' collaborators.
type API struct {
	store    kvstore.Store
	w        kvstore.Writer
	polls    *polls.Service
	votes    *votes.Recorder
	views    *votes.Buffer
	sessions *sessions.Manager
	sites    *embed.Sites
	tokens   *embed.Tokens
	results  *results.Cache
	exports  *exports.Runner
	limiter  ratelimit.Limiter
}

// Option configures an API.
type Option = kvstore.Option[API]

func WithPolls(s *polls.Service) Option       { return func(a *API) { a.polls = s } }
func WithVotes(r *votes.Recorder) Option      { return func(a *API) { a.votes = r } }
func WithViews(b *votes.Buffer) Option        { return func(a *API) { a.views = b } }
func WithSessions(m *sessions.Manager) Option { return func(a *API) { a.sessions = m } }
func WithEmbed(s *embed.Sites, t *embed.Tokens) Option {
	return func(a *API) { a.sites, a.tokens = s, t }
}
func WithResults(c *results.Cache) Option    { return func(a *API) { a.results = c } }
func WithExports(r *exports.Runner) Option   { return func(a *API) { a.exports = r } }
func WithLimiter(l ratelimit.Limiter) Option { return func(a *API) { a.limiter = l } }

// New returns an API over store.
func New(store kvstore.Store, opts ...Option) *API {
	a := kvstore.Apply(API{store: store, w: kvstore.NewWriter(store)}, opts...)
	return &a
}

// Handler returns the routed, middleware-wrapped handler.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/polls", a.createPoll)
	mux.HandleFunc("POST /v1/polls/{id}/open", a.openPoll)
	mux.HandleFunc("POST /v1/polls/{id}/close", a.closePoll)
	mux.HandleFunc("GET /v1/polls/{id}/results", a.pollResults)
	mux.HandleFunc("POST /v1/polls/{id}/preview", a.preview)
	mux.HandleFunc("DELETE /v1/tokens/{id}", a.revokeToken)
	mux.HandleFunc("POST /v1/exports", a.submitExport)

	embedMux := http.NewServeMux()
	embedMux.HandleFunc("GET /v1/embed/{site}/theme", a.theme)
	embedMux.HandleFunc("POST /v1/embed/{site}/challenge", a.challenge)
	embedMux.HandleFunc("POST /v1/embed/{site}/sessions", a.startSession)
	embedMux.Handle("POST /v1/embed/{site}/sessions/{sid}/answers", a.withSession(a.answer))
	embedMux.Handle("POST /v1/embed/{site}/sessions/{sid}/votes", a.withSession(a.vote))
	embedMux.Handle("POST /v1/embed/{site}/sessions/{sid}/submit", a.withSession(a.submit))
	mux.Handle("/v1/embed/", chain(embedMux, a.rateLimited))

	return chain(mux, requestLog)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, polls.ErrNotFound), errors.Is(err, embed.ErrUnknownSite):
		status = http.StatusNotFound
	case errors.Is(err, polls.ErrSlugTaken):
		status = http.StatusConflict
	case errors.Is(err, sessions.ErrExpired), errors.Is(err, embed.ErrTokenExpired), errors.Is(err, embed.ErrTokenRevoked):
		status = http.StatusGone
	case errors.Is(err, exports.ErrQuotaExceeded):
		status = http.StatusPaymentRequired
	case errors.Is(err, polls.ErrNoQuestion), errors.Is(err, polls.ErrTooFewChoice),
		errors.Is(err, polls.ErrBadSlug), errors.Is(err, votes.ErrInvalid), errors.Is(err, polls.ErrClosed):
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
