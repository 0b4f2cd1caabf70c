//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"brant/internal/domain"
	"brant/internal/units"
)

// SignInRequest is the body of POST /v1/sessions.
type SignInRequest struct {
	RiderID string `json:"rider_id"`
	City    string `json:"city"`
}

type startCmd struct {
	Rider string
	City  string
	At    time.Time
}

type sessionRecord struct {
	Key  string
	Body []byte
	TTL  time.Duration
}

type sessionRepo struct {
	store domain.EdgeStore
}

func (r sessionRepo) save(ctx context.Context, rec sessionRecord) error {
	return r.store.Put(ctx, rec.Key, string(rec.Body), domain.WriteOpts{TTL: units.Ptr(rec.TTL)})
}

func (r sessionRepo) load(ctx context.Context, id string) (domain.Session, bool, error) {
	raw, ok, err := r.store.Get(ctx, domain.KindSession.Key(id), domain.ReadOpts{})
	if err != nil || !ok {
		return domain.Session{}, false, err
	}
	var s domain.Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return domain.Session{}, false, err
	}
	return s, !s.Deleted, nil
}

func (r sessionRepo) remove(ctx context.Context, id string) error {
	return r.store.Delete(ctx, domain.KindSession.Key(id)) // EXPECT kvsession
}

type sessionService struct {
	repo sessionRepo
	now  func() time.Time
}

func (s sessionService) start(ctx context.Context, cmd startCmd) (domain.Session, error) {
	sess := domain.Session{ID: newID(), RiderID: cmd.Rider, City: cmd.City, CreatedAt: cmd.At, LastSeen: cmd.At}
	body, err := json.Marshal(sess)
	if err != nil {
		return domain.Session{}, err
	}
	rec := sessionRecord{Key: domain.KindSession.Key(sess.ID), Body: body, TTL: domain.KindSession.Lifetime()}
	return sess, s.repo.save(ctx, rec)
}

// touch slides the session's idle window forward.
func (s sessionService) touch(ctx context.Context, id string) (domain.Session, bool, error) {
	key := domain.KindSession.Key(id)
	raw, ok, err := s.repo.store.Get(ctx, key, domain.ReadOpts{})
	if err != nil || !ok {
		return domain.Session{}, false, err
	}
	var sess domain.Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return domain.Session{}, false, err
	}
	if sess.Deleted {
		return domain.Session{}, false, nil
	}
	sess.LastSeen = s.now()
	body, _ := json.Marshal(sess)
	ttl := domain.KindSession.Lifetime()
	err = s.repo.store.Put(ctx, key, string(body), domain.WriteOpts{TTL: &ttl}) // EXPECT kvsession|kvrace
	return sess, true, err
}

// SessionHandler serves sign-in, the current session and sign-out.
type SessionHandler struct {
	svc sessionService
}

func (h *SessionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/sessions":
		var in SignInRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.RiderID == "" {
			httpError(w, http.StatusBadRequest, "rider_id required")
			return
		}
		sess, err := h.svc.start(ctx, startCmd{Rider: in.RiderID, City: in.City, At: h.svc.now()})
		if err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, sess)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/sessions/me":
		sess, ok, err := h.svc.touch(ctx, bearer(r))
		if err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		if !ok {
			httpError(w, http.StatusUnauthorized, "no session")
			return
		}
		writeJSON(w, http.StatusOK, sess)
	case r.Method == http.MethodDelete && r.URL.Path == "/v1/sessions/me":
		if err := h.svc.repo.remove(ctx, bearer(r)); err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		httpError(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// OAuthCallback finishes a third-party sign-in.
type OAuthCallback struct {
	store    domain.EdgeStore
	sessions sessionService
}

func (h *OAuthCallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	key := "oauth_state:" + state
	raw, ok, err := h.store.Get(ctx, key, domain.ReadOpts{})
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	if !ok {
		httpError(w, http.StatusBadRequest, "unknown state")
		return
	}
	var pending struct {
		RiderID string `json:"rider_id"`
		City    string `json:"city"`
	}
	if err := json.Unmarshal([]byte(raw), &pending); err != nil {
		httpError(w, http.StatusBadRequest, "bad state")
		return
	}
	if err := h.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	sess, err := h.sessions.start(ctx, startCmd{Rider: pending.RiderID, City: pending.City, At: h.sessions.now()})
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// MagicLinkHandler mails sign-in links and accepts them once.
type MagicLinkHandler struct {
	store    domain.EdgeStore
	sessions sessionService
}

func (h *MagicLinkHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method == http.MethodPost {
		rider := r.FormValue("rider_id")
		token := newID()
		err := h.store.Put(ctx, "magic:"+token, rider, domain.WriteOpts{TTL: units.Ptr(15 * time.Minute)})
		if err != nil {
			httpError(w, http.StatusBadGateway, err.Error())
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"token": token})
		return
	}
	token := r.URL.Query().Get("t")
	rider, ok, err := h.store.Get(ctx, "magic:"+token, domain.ReadOpts{})
	if err != nil || !ok || strings.HasPrefix(rider, "{") {
		httpError(w, http.StatusUnauthorized, "link expired")
		return
	}
	used := `{"deleted":true}`
	if err := h.store.Put(ctx, "magic:"+token, used, domain.WriteOpts{TTL: units.Ptr(time.Hour)}); err != nil { // EXPECT kvsession
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	sess, err := h.sessions.start(ctx, startCmd{Rider: rider, At: h.sessions.now()})
	if err != nil {
		httpError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, sess)
}
