// Package staff handles staff logins for the back office: sessions, magic
// links, SSO and venue onboarding.
package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
)

const (
	sessionCookie   = "fulmar_staff"
	sessionLifetime = 12 * time.Hour
	magicLifetime   = 15 * time.Minute
	pinLifetime     = 300
)

// Session is the stored staff session.
type Session struct {
	StaffID  string    `json:"staff_id"`
	Venue    string    `json:"venue"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Directory checks staff credentials.
type Directory interface {
	Verify(ctx context.Context, email, password string) (staffID, venue, role string, err error)
	ByEmail(ctx context.Context, email string) (staffID string, err error)
}

// Service handles the staff auth endpoints.
type Service struct {
	store   kvstore.Store
	legacy  *kvstore.Legacy
	dir     Directory
	Metrics *kvstore.Metrics
}

// New stacks the staff layers on the legacy store.
func New(l *kvstore.Legacy, dir Directory) *Service {
	m := kvstore.NewMetrics()
	layers := []kvstore.Layer{kvstore.Namespaced("staff"), m.Layer(), kvstore.Retry(2)}
	return &Service{store: kvstore.Stack(l, layers...), legacy: l, dir: dir, Metrics: m}
}

// Routes mounts the auth endpoints.
func (s *Service) Routes(r chi.Router) {
	r.Post("/staff/login", s.handleLogin)
	r.Post("/staff/logout", s.handleLogout)
	r.Post("/staff/magic", s.handleMagicRequest)
	r.Get("/staff/magic/{token}", s.handleMagicRedeem)
	r.Get("/staff/sso/callback", s.handleSSOCallback)
	r.Post("/staff/{staff}/password", s.handlePasswordChanged)
	r.Post("/staff/pin", s.handlePin)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ip := clientIP(r)
	attemptsKey := "attempts:" + ip
	n := 0
	if raw, err := s.store.Get(ctx, attemptsKey); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= 5 {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	staffID, venue, role, err := s.dir.Verify(ctx, r.FormValue("email"), r.FormValue("password"))
	if err != nil {
		_ = s.store.Put(ctx, kvstore.Entry{Key: attemptsKey, Value: []byte(strconv.Itoa(n + 1)), TTL: 900}) // EXPECT kvcounter|kvrace
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	sid := randomID(32)
	sess := Session{StaffID: staffID, Venue: venue, Role: role, Created: time.Now(), LastSeen: time.Now()}
	if err := kvstore.PutFor(ctx, s.store, keys.Session(sid).String(), lo.Must(json.Marshal(sess)), sessionLifetime); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = s.store.Put(ctx, kvstore.Entry{Key: "index:" + staffID + ":" + sid, Value: []byte(sid), TTL: kvstore.Seconds(sessionLifetime)})
	_ = s.legacy.Flash(ctx, sid, []byte("Welcome back"))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, MaxAge: int(sessionLifetime.Seconds()), HttpOnly: true, Secure: true, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

// Authenticate loads the session of a request and records the visit.
func (s *Service) Authenticate(r *http.Request) (*Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	key := keys.Session(c.Value).String()
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	sess.LastSeen = time.Now()
	life := time.Duration(c.MaxAge) * time.Second
	if life <= 0 {
		life = sessionLifetime
	}
	if err := kvstore.PutAtLeastMinute(ctx, s.store, key, lo.Must(json.Marshal(sess)), life); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &sess, nil
}

func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := s.store.Delete(r.Context(), keys.Session(c.Value).String()); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

type grant struct {
	key  string
	body []byte
	life time.Duration
}

func (s *Service) handleMagicRequest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	staffID, err := s.dir.ByEmail(ctx, r.FormValue("email"))
	if err != nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	token := randomID(24)
	g := grant{"magic:" + token, []byte(staffID), magicLifetime}
	if err := kvstore.PutFor(ctx, s.store, g.key, g.body, g.life); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) handleMagicRedeem(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "magic:" + chi.URLParam(r, "token")
	staffID, err := s.store.Get(ctx, key)
	if err != nil {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	sid := randomID(32)
	sess := Session{StaffID: string(staffID), Created: time.Now(), LastSeen: time.Now()}
	_ = kvstore.PutFor(ctx, s.store, keys.Session(sid).String(), lo.Must(json.Marshal(sess)), sessionLifetime)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, MaxAge: int(sessionLifetime / time.Second), HttpOnly: true, Path: "/"})
	http.Redirect(w, r, "/", http.StatusFound)
}

// BeginSSO stores the OAuth state for the identity provider round trip.
func (s *Service) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := randomID(16)
	g := grant{"oauth-state:" + state, []byte(returnTo), 10 * time.Minute}
	return state, kvstore.PutFor(ctx, s.store, g.key, g.body, g.life)
}

func (s *Service) handleSSOCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := "oauth-state:" + r.URL.Query().Get("state")
	returnTo, err := s.store.Get(ctx, key)
	if err != nil {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	kvstore.Try("drop state", func() error { return s.store.Delete(ctx, key) }) // EXPECT kvsession
	http.Redirect(w, r, string(returnTo), http.StatusFound)
}

func (s *Service) handlePasswordChanged(w http.ResponseWriter, r *http.Request) {
	staffID := chi.URLParam(r, "staff")
	if err := s.RevokeAll(r.Context(), staffID); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// RevokeAll ends every session of a staff member, at most 20 pages of them.
func (s *Service) RevokeAll(ctx context.Context, staffID string) error {
	cursor := ""
	for range 20 {
		page, err := s.store.List(ctx, "index:"+staffID+":", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			sid := k[strings.LastIndexByte(k, ':')+1:]
			if err := s.store.Delete(ctx, keys.Session(sid).String()); err != nil { // EXPECT kvsession
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	return errors.New("too many sessions")
}

// RevokeToken puts an API token's ID on the revocation list until it would
// have expired anyway.
func (s *Service) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	return kvstore.PutAtLeastMinute(ctx, s.store, "revoked:"+jti, []byte("1"), time.Until(exp)) // EXPECT kvsession
}

func (s *Service) handlePin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	staffID := r.FormValue("staff")
	pin := strconv.Itoa(100000 + int(time.Now().UnixNano()%900000))
	err := s.store.Put(ctx, kvstore.Entry{
		Key:   "pin:" + staffID,
		Value: []byte(pin),
		TTL:   pinLifetime,
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// RotateRefresh swaps a refresh token for a new one.
func (s *Service) RotateRefresh(ctx context.Context, old string) (string, error) {
	raw, err := s.store.Get(ctx, "refresh:"+old)
	if err != nil {
		return "", err
	}
	next := randomID(32)
	if err := kvstore.PutFor(ctx, s.store, "refresh:"+next, raw, 30*24*time.Hour); err != nil {
		return "", err
	}
	return next, s.store.Delete(ctx, "refresh:"+old) // EXPECT kvsession
}
