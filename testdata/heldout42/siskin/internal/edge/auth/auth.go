//go:build js && wasm

// Package auth signs creators in with magic links and keeps their
// dashboard sessions.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/siskinfm/siskin/internal/edgekv"
)

// Session is a signed-in creator on one device.
type Session struct {
	ID          string    `json:"id"`
	CreatorID   string    `json:"creator_id"`
	Email       string    `json:"email"`
	CurrentShow string    `json:"current_show,omitempty"`
	Created     time.Time `json:"created"`
	LastSeen    time.Time `json:"last_seen"`
}

// Key implements the constraint of edgekv.Save and edgekv.Load.
func (s *Session) Key() string { return s.ID }

type magicRecord struct {
	Email     string `json:"email"`
	CreatorID string `json:"creator_id"`
	Poll      string `json:"poll"`
}

type pollState struct {
	Status    string `json:"status"`
	SessionID string `json:"session_id,omitempty"`
}

// Mailer sends the sign-in mail.
type Mailer interface {
	SendLink(ctx context.Context, to, link string) error
}

// CreatorLookup maps an email address to a creator ID ("" if unknown).
type CreatorLookup func(ctx context.Context, email string) (string, error)

// Service implements the sign-in endpoints.
type Service struct {
	magic    edgekv.Base
	sessions edgekv.Base
	devices  edgekv.Base
	polls    edgekv.Base
	mailer   Mailer
	lookup   CreatorLookup
	baseURL  string
}

// New returns a Service storing everything in ns.
func New(ns *edgekv.Namespace, m Mailer, lookup CreatorLookup, baseURL string) *Service {
	return &Service{
		magic:    edgekv.Base{NS: ns, Prefix: "magic:", Life: 15 * time.Minute},
		sessions: edgekv.Base{NS: ns, Prefix: "sess:", Life: 30 * 24 * time.Hour},
		devices:  edgekv.Base{NS: ns, Prefix: "devices:", Life: 30 * 24 * time.Hour},
		polls:    edgekv.Base{NS: ns, Prefix: "login:poll:", Life: 20 * time.Second}, // EXPECT kvttl
		mailer:   m,
		lookup:   lookup,
		baseURL:  strings.TrimSuffix(baseURL, "/"),
	}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// RequestLink handles POST /auth/link {"email": "...", "poll": "..."}.
func (s *Service) RequestLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body struct {
		Email string `json:"email"`
		Poll  string `json:"poll"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	addr, err := mail.ParseAddress(body.Email)
	if err != nil || len(body.Poll) < 16 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	creatorID, err := s.lookup(ctx, strings.ToLower(addr.Address))
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if creatorID == "" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	tok := randomID(32)
	rec := magicRecord{Email: addr.Address, CreatorID: creatorID, Poll: body.Poll}
	if err := s.magic.PutJSON(ctx, s.magic.Key(tok), rec); err != nil {
		http.Error(w, "could not create link", http.StatusInternalServerError)
		return
	}
	if err := s.polls.PutJSON(ctx, s.polls.Key(body.Poll), pollState{Status: "pending"}); err != nil {
		http.Error(w, "could not create link", http.StatusInternalServerError)
		return
	}
	if err := s.mailer.SendLink(ctx, addr.Address, s.baseURL+"/auth/verify?token="+tok); err != nil {
		http.Error(w, "could not send mail", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Verify handles GET /auth/verify?token=..., the link in the mail.
func (s *Service) Verify(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := r.URL.Query().Get("token")
	if tok == "" {
		http.Error(w, "missing token", http.StatusBadRequest)
		return
	}
	raw, err := s.magic.NS.GetString(s.magic.Key(tok), nil)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "this link has expired", http.StatusGone)
		return
	}
	var rec magicRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		http.Error(w, "corrupt link", http.StatusInternalServerError)
		return
	}
	if err := s.magic.Delete(ctx, s.magic.Key(tok)); err != nil { // EXPECT kvsession
		http.Error(w, "could not use link", http.StatusBadGateway)
		return
	}

	now := time.Now()
	sess := &Session{ID: randomID(24), CreatorID: rec.CreatorID, Email: rec.Email, Created: now, LastSeen: now}
	if err := edgekv.Save(ctx, s.sessions, sess); err != nil { // DEBATABLE kvsession
		http.Error(w, "could not sign in", http.StatusInternalServerError)
		return
	}
	device := s.devices.Key(rec.CreatorID + ":" + sess.ID)
	if err := s.devices.PutJSON(ctx, device, map[string]string{"ua": r.UserAgent()}); err != nil {
		http.Error(w, "could not sign in", http.StatusInternalServerError)
		return
	}
	if err := s.polls.PutJSON(ctx, s.polls.Key(rec.Poll), pollState{Status: "done", SessionID: sess.ID}); err != nil {
		http.Error(w, "could not sign in", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int(s.sessions.Life.Seconds())})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// Poll handles GET /auth/poll?id=..., called by the tab waiting for the mail.
func (s *Service) Poll(w http.ResponseWriter, r *http.Request) {
	var st pollState
	ok, err := s.polls.GetJSON(r.Context(), s.polls.Key(r.URL.Query().Get("id")), &st)
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if !ok {
		st.Status = "unknown"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(st)
}

// ErrNoSession is returned by Current for anonymous requests.
var ErrNoSession = errors.New("auth: not signed in")

// Current returns the session of the request and records the visit.
func (s *Service) Current(r *http.Request) (*Session, error) {
	c, err := r.Cookie("sid")
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	sess := &Session{ID: c.Value}
	ok, err := edgekv.Load(r.Context(), s.sessions, sess)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoSession
	}
	sess.LastSeen = time.Now()
	if err := edgekv.Save(r.Context(), s.sessions, sess); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return sess, nil
}

// SwitchShow handles POST /me/show {"show": "..."}.
func (s *Service) SwitchShow(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Current(r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	var body struct {
		Show string `json:"show"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Show == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sess.CurrentShow = body.Show
	if err := s.sessions.PutJSON(r.Context(), s.sessions.Key(sess.ID), sess); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "could not save", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Logout handles POST /auth/logout.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("sid")
	if err == nil && c.Value != "" {
		if err := s.sessions.Delete(r.Context(), s.sessions.Key(c.Value)); err != nil { // EXPECT kvsession
			http.Error(w, "could not sign out", http.StatusBadGateway)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Devices handles GET /me/devices: the session IDs signed in for the creator.
func (s *Service) Devices(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Current(r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	prefix := s.devices.Key(sess.CreatorID + ":")
	opts := edgekv.ListOptions{Prefix: prefix, Limit: 100}
	var ids []string
	for page := 0; page < 5; page++ {
		res, err := s.devices.List(r.Context(), opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "list failed", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts = edgekv.ListOptions{Cursor: res.Cursor, Limit: 100}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ids)
}
