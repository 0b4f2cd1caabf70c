// Package api is the control plane's JSON API for the studio UI and the
// players.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/framewell/stilt/internal/authz"
	"github.com/framewell/stilt/internal/jobs"
	"github.com/framewell/stilt/internal/kvstore"
	"github.com/framewell/stilt/internal/mfa"
	"github.com/framewell/stilt/internal/purge"
	"github.com/framewell/stilt/internal/uploadtoken"
	"github.com/framewell/stilt/internal/watch"
)

var tracer = otel.Tracer("stilt/api")

const (
	sessionCookie = "stilt"
	stepUpCookie  = "stilt-stepup"
	stepUpSeconds = 45
)

// Directory checks studio users' passwords against the identity provider.
type Directory interface {
	Authenticate(ctx context.Context, email, password string) (uid string, err error)
}

// Server holds the API's dependencies. main fills it in.
type Server struct {
	Sessions sessions.Store
	Users    Directory
	Jobs     *jobs.Service
	Watch    *watch.Tracker
	Uploads  *uploadtoken.Issuer
	Purger   *purge.Purger
	TOTP     *mfa.TOTP
	Passkeys *mfa.Passkeys
	Grants   *authz.Grants
	KV       *kvstore.Namespace
	// Encoder is authorised for the transcoding vendor's API at EncoderURL.
	Encoder    *http.Client
	EncoderURL string
	HookSecret string

	mu      sync.Mutex
	uploads map[string]int // uploads issued per tenant since start
}

type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func fail(status int, msg string) error { return &apiError{status: status, msg: msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return fail(http.StatusBadRequest, "bad request body: "+err.Error())
	}
	return nil
}

// traced runs h in a span named after the route and turns its error into a
// JSON response.
func traced(name string, h func(w http.ResponseWriter, r *http.Request, span trace.Span) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "api."+name, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		span.SetAttributes(attribute.String("http.route", r.Pattern))

		err := h(w, r.WithContext(ctx), span)
		if err == nil {
			return
		}
		status := http.StatusInternalServerError
		var ae *apiError
		switch {
		case errors.As(err, &ae):
			status = ae.status
		case errors.Is(err, kvstore.ErrNotFound), errors.Is(err, watch.ErrExpired):
			status = http.StatusNotFound
		}
		if status >= 500 {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
	}
}

// viewer returns the signed-in user's session, or a 401. Every call slides
// the session's idle expiry forward.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request) (*sessions.Session, string, error) {
	sess, err := s.Sessions.Get(r, sessionCookie)
	if err != nil {
		return nil, "", err
	}
	uid, _ := sess.Values["uid"].(string)
	if uid == "" {
		return nil, "", fail(http.StatusUnauthorized, "sign in first")
	}
	sess.Values["seen"] = time.Now().Unix()
	if err := sess.Save(r, w); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	return sess, uid, nil
}

// member returns the signed-in user and the tenant named in the query,
// after checking that the user may act on obj in that tenant.
func (s *Server) member(w http.ResponseWriter, r *http.Request, obj, act string) (uid, tenant string, err error) {
	if _, uid, err = s.viewer(w, r); err != nil {
		return "", "", err
	}
	tenant = r.URL.Query().Get("tenant")
	if tenant == "" || !s.Grants.Allowed(uid, tenant, obj, act) {
		return "", "", fail(http.StatusForbidden, "not allowed in tenant")
	}
	return uid, tenant, nil
}

// Routes returns the API's handler.
func (s *Server) Routes() *http.ServeMux {
	s.uploads = make(map[string]int)
	mux := http.NewServeMux()
	mux.Handle("POST /v1/login", traced("login", s.login))
	mux.Handle("POST /v1/logout", traced("logout", s.logout))
	mux.Handle("POST /v1/mfa/totp/verify", traced("totpVerify", s.totpVerify))
	mux.Handle("POST /v1/mfa/passkeys/{ceremony}", traced("passkeyBegin", s.passkeyBegin))
	mux.Handle("POST /v1/mfa/passkeys/{ceremony}/finish", traced("passkeyFinish", s.passkeyFinish))
	mux.Handle("POST /v1/admin/grants", traced("grant", s.grant))
	mux.Handle("POST /v1/jobs", traced("createJob", s.createJob))
	mux.Handle("POST /v1/uploads", traced("issueUpload", s.issueUpload))
	mux.Handle("GET /v1/previews/{video}", traced("preview", s.preview))
	mux.Handle("POST /v1/watch/{id}/beats", traced("watchBeats", s.watchBeats))
	mux.Handle("POST /v1/purges", traced("purge", s.purge))
	mux.Handle("GET /v1/purges/{zone}", traced("purgeLog", s.purgeLog))
	mux.Handle("GET /v1/dashboard", traced("dashboard", s.dashboard))
	mux.Handle("POST /v1/jobs/{id}/remaster", traced("remaster", s.remaster))
	mux.Handle("POST /v1/uploads/revoke", traced("revokeUpload", s.revokeUpload))
	mux.Handle("POST /v1/mfa/recovery", traced("recovery", s.recovery))
	mux.Handle("POST /v1/watch", traced("watchStart", s.watchStart))
	mux.Handle("DELETE /v1/watch/{id}", traced("watchEnd", s.watchEnd))
	mux.Handle("POST /hooks/encoder", traced("encoderHook", s.encoderHook))
	mux.Handle("POST /hooks/ingest", traced("ingestHook", s.ingestHook))
	return mux
}
