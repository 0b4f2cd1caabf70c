//go:build js && wasm

// Package auth signs students and tutors in at the edge: password and
// magic-link sign-in, OAuth with the calendar providers and API token
// revocation for the tutor app.
package auth

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/config"
	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/kind"
)

const (
	cookieName  = "tl_sid"
	maxAttempts = 5
)

// ErrNoSession means the request carries no live session.
var ErrNoSession = errors.New("auth: no session")

// Session is what a session key holds.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Service implements the auth endpoints.
type Service struct {
	root   edgekv.Scope
	cfg    config.Settings
	origin *web.Origin
}

// New returns the auth service over the AUTH_KV scope root.
func New(root edgekv.Scope, cfg config.Settings, origin *web.Origin) *Service {
	return &Service{root: root, cfg: cfg, origin: origin}
}

// Routes registers the endpoints on mux.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /auth/login", s.login)
	mux.HandleFunc("POST /auth/logout", s.logout)
	mux.HandleFunc("POST /auth/password", s.changePassword)
	mux.HandleFunc("POST /auth/magic", s.sendMagicLink)
	mux.HandleFunc("GET /auth/magic/redeem", s.redeemMagicLink)
	mux.HandleFunc("GET /auth/oauth/start", s.oauthStart)
	mux.HandleFunc("GET /auth/oauth/callback", s.oauthCallback)
	mux.HandleFunc("POST /auth/token/revoke", s.revoke)
	mux.HandleFunc("GET /auth/sessions", s.devices)
}

func (s *Service) auth() edgekv.Scope { return s.root.Scope("auth") }

func (s *Service) sessions() edgekv.Scope { return s.auth().Kind(kind.Session) }

func (s *Service) sessionIndex(uid string) edgekv.Scope {
	return s.auth().Scope("by-user", uid)
}

// Current returns the caller's session and extends it by another SessionTTL.
func (s *Service) Current(r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, ErrNoSession
	}
	sessions := s.sessions()
	raw, ok, err := sessions.Lookup(c.Value, 0)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, err
	}
	if err := sessions.Put(c.Value, raw, s.cfg.SessionTTL); err != nil { // EXPECT kvsession
		log.Printf("auth: extend session: %v", err)
	}
	return &sess, nil
}

func (s *Service) startSession(w http.ResponseWriter, uid, role string) error {
	sess := Session{ID: web.NewID(), UserID: uid, Role: role, CreatedAt: time.Now().UTC()}
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	if err := s.sessions().Put(sess.ID, string(b), s.cfg.SessionTTL); err != nil {
		return err
	}
	if err := s.sessionIndex(uid).Put(sess.ID, strconv.FormatInt(sess.CreatedAt.Unix(), 10), s.cfg.SessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds()),
	})
	return nil
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type identity struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	var cr credentials
	if err := json.NewDecoder(r.Body).Decode(&cr); err != nil || cr.Email == "" {
		web.Error(w, http.StatusBadRequest, "email and password required")
		return
	}
	email := strings.ToLower(strings.TrimSpace(cr.Email))
	attempts := s.auth().Scope("attempts")
	v, seen, err := attempts.Lookup(email, 0)
	if err != nil {
		web.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	n := 0
	if seen {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxAttempts {
		web.Error(w, http.StatusTooManyRequests, "too many attempts, try again later")
		return
	}
	var id identity
	if err := s.origin.PostJSON(r.Context(), "/v1/identity/verify", cr, &id); err != nil {
		if err := attempts.PutAtLeast(email, strconv.Itoa(n+1), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("auth: record attempt: %v", err)
		}
		web.Error(w, http.StatusUnauthorized, "wrong email or password")
		return
	}
	if err := s.startSession(w, id.UserID, id.Role); err != nil {
		web.Error(w, http.StatusBadGateway, "could not sign in")
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"user_id": id.UserID})
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := s.sessions().Delete(c.Value); err != nil { // EXPECT kvsession
			log.Printf("auth: logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) changePassword(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	var body struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		web.Error(w, http.StatusBadRequest, "bad body")
		return
	}
	if err := s.origin.PostJSON(r.Context(), "/v1/identity/"+sess.UserID+"/password", body, nil); err != nil {
		web.Error(w, http.StatusBadRequest, "password not changed")
		return
	}
	index := s.sessionIndex(sess.UserID)
	ids, err := index.Names(s.cfg.MaxListPages)
	if err != nil {
		log.Printf("auth: list sessions of %s: %v", sess.UserID, err)
	}
	for _, id := range ids {
		if id == sess.ID {
			continue
		}
		if err := s.sessions().Delete(id); err != nil { // EXPECT kvsession
			log.Printf("auth: end session %s: %v", id, err)
			continue
		}
		_ = index.Delete(id) // DEBATABLE kvsession
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) sendMagicLink(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	if email == "" {
		web.Error(w, http.StatusBadRequest, "email required")
		return
	}
	cooldown := s.auth().Scope("magic-cooldown")
	if _, recent, err := cooldown.Lookup(email, 0); err != nil {
		web.Error(w, http.StatusServiceUnavailable, "try again")
		return
	} else if recent {
		web.Error(w, http.StatusTooManyRequests, "a link was sent a moment ago")
		return
	}
	token := web.NewID()
	if err := s.auth().PutFor(kind.MagicLink, kind.MagicLink.Prefix()+token, email); err != nil {
		web.Error(w, http.StatusBadGateway, "could not create link")
		return
	}
	if err := s.origin.PostJSON(r.Context(), "/v1/mail/magic-link", map[string]string{"email": email, "token": token}, nil); err != nil {
		web.Error(w, http.StatusBadGateway, "could not send link")
		return
	}
	err := cooldown.Namespace().PutString(cooldown.Key(email), "1", &kv.PutOptions{ // DEBATABLE kvrace
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		log.Printf("auth: cooldown: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	links := s.auth().Kind(kind.MagicLink)
	email, ok, err := links.Lookup(token, 0)
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	if !ok {
		web.Error(w, http.StatusGone, "this link has expired")
		return
	}
	if err := links.Delete(token); err != nil { // EXPECT kvsession
		log.Printf("auth: consume magic link: %v", err)
	}
	var id identity
	if err := s.origin.GetJSON(r.Context(), "/v1/identity/by-email/"+email, &id); err != nil {
		web.Error(w, http.StatusNotFound, "no account for this address")
		return
	}
	if err := s.startSession(w, id.UserID, id.Role); err != nil {
		web.Error(w, http.StatusBadGateway, "could not sign in")
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

func (s *Service) oauthStart(w http.ResponseWriter, r *http.Request) {
	provider := r.URL.Query().Get("provider")
	state := web.NewID()
	states := s.auth().Kind(kind.OAuthState)
	if err := states.Put(state, provider, kind.OAuthState.TTL()); err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	http.Redirect(w, r, "https://accounts."+provider+".example/authorize?state="+state, http.StatusFound)
}

func (s *Service) oauthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	states := s.auth().Kind(kind.OAuthState)
	provider, ok, err := states.Lookup(state, 0)
	if err != nil || !ok {
		web.Error(w, http.StatusBadRequest, "unknown or expired state")
		return
	}
	if err := states.Delete(state); err != nil { // EXPECT kvsession
		log.Printf("auth: drop oauth state: %v", err)
	}
	var id identity
	err = s.origin.PostJSON(r.Context(), "/v1/identity/oauth", map[string]string{
		"provider": provider, "code": r.URL.Query().Get("code"),
	}, &id)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "provider refused")
		return
	}
	if err := s.startSession(w, id.UserID, id.Role); err != nil {
		web.Error(w, http.StatusBadGateway, "could not sign in")
		return
	}
	http.Redirect(w, r, "/calendar/connected", http.StatusFound)
}

func (s *Service) revoke(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Current(r)
	if err != nil || sess.Role != "tutor" {
		web.Error(w, http.StatusForbidden, "tutors only")
		return
	}
	jti := r.FormValue("jti")
	if jti == "" {
		web.Error(w, http.StatusBadRequest, "jti required")
		return
	}
	revoked := s.auth().Scope("revoked", sess.UserID)
	if err := revoked.Put(jti, time.Now().UTC().Format(time.RFC3339), 90*24*time.Hour); err != nil { // EXPECT kvsession
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type device struct {
	SessionID string `json:"session_id"`
	Since     string `json:"since"`
	Current   bool   `json:"current"`
}

// devices lists the caller's signed-in devices for the account page.
func (s *Service) devices(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	index := s.sessionIndex(sess.UserID)
	ns := index.Namespace()
	var out []device
	opts := &kv.ListOptions{Prefix: index.Prefix(), Limit: 100}
	for page := 0; page < 3; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			web.Error(w, http.StatusBadGateway, "try again")
			return
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, index.Prefix())
			out = append(out, device{SessionID: id, Current: id == sess.ID,
				Since: time.Unix(int64(k.Expiration), 0).Add(-s.cfg.SessionTTL).Format(time.RFC3339)})
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 100}
	}
	web.JSON(w, http.StatusOK, out)
}
