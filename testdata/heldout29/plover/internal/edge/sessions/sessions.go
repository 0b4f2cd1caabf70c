//go:build js && wasm

// Package sessions handles sign-in for parents, players, coaches and
// referees: PIN logins, magic links, session cookies and CSRF tokens.
package sessions

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/plover/internal/edge/kvactor"
	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
	"example.com/plover/internal/league"
)

const (
	cookieName  = "plover_sid"
	sessionTTL  = 12 * time.Hour
	magicTTL    = 15 * time.Minute
	maxAttempts = 5
)

// Session is what a signed-in browser carries.
type Session struct {
	ID          string            `json:"id"`
	Email       string            `json:"email"`
	Role        league.Role       `json:"role"`
	Children    []league.PlayerID `json:"children,omitempty"`
	ActiveChild league.PlayerID   `json:"activeChild,omitempty"`
	Teams       []league.TeamID   `json:"teams,omitempty"`
	Created     time.Time         `json:"created"`
}

// Mailer delivers magic links.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Service implements the auth endpoints.
type Service struct {
	ns       *cloudflare.KVNamespace
	actor    *kvactor.Actor
	sessions *kvbind.Bucket
	accounts *kvbind.Bucket
	attempts *kvbind.Bucket
	csrf     *kvbind.Bucket
	mail     Mailer
	pepper   string
	baseURL  string
	now      func() time.Time
}

// New wires the service to its buckets.
func New(kv *kvbind.Client, actor *kvactor.Actor, mail Mailer, pepper, baseURL string) *Service {
	return &Service{
		ns:       kv.Binding(),
		actor:    actor,
		sessions: kv.Bucket("sess", kvbind.WithTTL(sessionTTL)),
		accounts: kv.Bucket("acct"),
		attempts: kv.Bucket("attempts", kvbind.WithTTL(15*time.Minute)),
		csrf:     kv.Bucket("csrf", kvbind.WithTTL(30*time.Second)), // EXPECT kvttl
		mail:     mail,
		pepper:   pepper,
		baseURL:  baseURL,
		now:      time.Now,
	}
}

func newID() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

type ctxKey struct{}

// FromContext returns the session Authenticate attached, or nil.
func FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(ctxKey{}).(*Session)
	return s
}

type LoginReq struct {
	Email string `json:"email"`
	PIN   string `json:"pin"`
}

type LoginResp struct {
	Session string      `json:"session"`
	Role    league.Role `json:"role"`
	Expires time.Time   `json:"expires"`
}

func (s *Service) hashPIN(pin string) string {
	sum := sha256.Sum256([]byte(s.pepper + ":" + pin))
	return hex.EncodeToString(sum[:])
}

func (s *Service) account(email string) (league.Account, bool, error) {
	var acct league.Account
	ok, err := s.accounts.GetJSON(keys.Digest(email), &acct)
	return acct, ok, err
}

// failures returns how many failed logins the address has had recently.
func (s *Service) failures(id string) (int, error) {
	v, ok, err := s.attempts.Get(id)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.Atoi(v)
}

// Login checks an e-mail and PIN and starts a session.
func (s *Service) Login(ctx context.Context, req LoginReq) (LoginResp, error) {
	email := league.NormalizeEmail(req.Email)
	id := keys.Digest(email)
	failed, err := s.failures(id)
	if err != nil {
		return LoginResp{}, err
	}
	if failed >= maxAttempts {
		return LoginResp{}, httpx.ErrTooMany
	}
	acct, ok, err := s.account(email)
	if err != nil {
		return LoginResp{}, err
	}
	if !ok || subtle.ConstantTimeCompare([]byte(acct.PINHash), []byte(s.hashPIN(req.PIN))) != 1 {
		if err := s.attempts.Put(id, strconv.Itoa(failed+1)); err != nil { // EXPECT kvcounter
			return LoginResp{}, err
		}
		return LoginResp{}, httpx.ErrUnauthorized
	}
	return s.start(acct)
}

// start creates a fresh session for acct.
func (s *Service) start(acct league.Account) (LoginResp, error) {
	sess := Session{
		ID:       newID(),
		Email:    acct.Email,
		Role:     acct.Role,
		Children: acct.Children,
		Teams:    acct.Teams,
		Created:  s.now().UTC(),
	}
	if len(sess.Children) > 0 {
		sess.ActiveChild = sess.Children[0]
	}
	return LoginResp{Session: sess.ID, Role: sess.Role, Expires: sess.Created.Add(sessionTTL)}, s.sessions.PutJSON(sess.ID, sess)
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, _ struct{}) (struct{}, error) {
	sess := FromContext(ctx)
	if sess == nil {
		return struct{}{}, httpx.ErrUnauthorized
	}
	return struct{}{}, s.sessions.Delete(sess.ID) // EXPECT kvsession
}

// Authenticate loads the session named by the cookie or bearer token.
func (s *Service) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sid := bearer(r)
		if sid == "" {
			httpx.WriteError(w, httpx.ErrUnauthorized)
			return
		}
		key := keys.Session(sid)
		raw, err := s.ns.GetString(key, nil)
		if err != nil {
			httpx.WriteError(w, err)
			return
		}
		if raw == "" { // EXPECT kvnull
			httpx.WriteError(w, httpx.ErrUnauthorized)
			return
		}
		var sess Session
		if err := json.Unmarshal([]byte(raw), &sess); err != nil {
			httpx.WriteError(w, httpx.ErrUnauthorized)
			return
		}
		// Keep active users signed in: push the expiry out on every request.
		opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(sessionTTL.Seconds())}
		if err := s.ns.PutString(key, raw, opts); err != nil { // EXPECT kvsession
			httpx.WriteError(w, err)
			return
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, &sess)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearer(r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	const p = "Bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):]
	}
	return ""
}

type SwitchReq struct {
	Player league.PlayerID `json:"player"`
}

// SwitchChild changes which child a parent is acting for.
func (s *Service) SwitchChild(ctx context.Context, req SwitchReq) (Session, error) {
	cur := FromContext(ctx)
	if cur == nil {
		return Session{}, httpx.ErrUnauthorized
	}
	var sess Session
	found, err := s.sessions.GetJSON(cur.ID, &sess)
	if err != nil || !found {
		return Session{}, cmp.Or(err, httpx.ErrUnauthorized)
	}
	if !slices.Contains(sess.Children, req.Player) {
		return Session{}, httpx.ErrForbidden
	}
	sess.ActiveChild = req.Player
	return sess, s.sessions.PutJSON(sess.ID, sess) // EXPECT kvsession
}
