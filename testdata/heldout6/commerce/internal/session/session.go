// Package session implements cookie sessions stored in KV, the middleware
// that loads them, and the login/logout/step-up endpoints.
package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

type Options struct {
	Cookie                               string
	IdleTTL, ChallengeTTL, RevocationTTL time.Duration
	MaxAttempts                          int
}

type Option func(*Options)

func WithCookie(name string) Option           { return func(o *Options) { o.Cookie = name } }
func WithIdleTTL(d time.Duration) Option      { return func(o *Options) { o.IdleTTL = d } }
func WithChallengeTTL(d time.Duration) Option { return func(o *Options) { o.ChallengeTTL = d } }

// Accounts is the identity service.
type Accounts interface {
	Authenticate(ctx context.Context, email, password string) (userID string, err error)
	SetPassword(ctx context.Context, userID, password string) error
	SendCode(ctx context.Context, userID, code string) error
}

type Manager struct {
	kv       ports.ReadWriter
	opts     Options
	clock    platform.Clock
	ids      platform.IDGen
	accounts Accounts
	// OnLogin runs after a successful login with the guest cart the
	// browser carried.
	OnLogin func(ctx context.Context, guestCart, userID string) error
}

func NewManager(kv ports.ReadWriter, accounts Accounts, clock platform.Clock, ids platform.IDGen, opts ...Option) *Manager {
	o := Options{Cookie: "sid", IdleTTL: 7 * 24 * time.Hour, ChallengeTTL: 10 * time.Minute, RevocationTTL: 30 * 24 * time.Hour, MaxAttempts: 10}
	for _, fn := range opts {
		fn(&o)
	}
	return &Manager{kv: kv, opts: o, clock: clock, ids: ids, accounts: accounts}
}

func sessKey(id string) string { return "sess:" + id }

type ctxKey struct{}

func current(r *http.Request) Session {
	s, _ := r.Context().Value(ctxKey{}).(Session)
	return s
}

// UserID is "" for anonymous requests.
func UserID(r *http.Request) string { return current(r).UserID }

// Middleware loads the session named by the cookie and keeps it alive.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(m.opts.Cookie)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		sess, ok, err := kvjson.Get[Session](ctx, m.kv, sessKey(c.Value))
		if err != nil || !ok || m.revoked(ctx, sess) {
			http.SetCookie(w, &http.Cookie{Name: m.opts.Cookie, MaxAge: -1, Path: "/"})
			next.ServeHTTP(w, r)
			return
		}
		if now := m.clock.Now(); now.Sub(sess.LastSeen) > time.Minute {
			sess.LastSeen = now
			_ = kvjson.Put(ctx, m.kv, sessKey(sess.ID), sess, ports.WithTTL(m.opts.IdleTTL)) // EXPECT kvsession|kvrace
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, sess)))
	})
}

func (m *Manager) revoked(ctx context.Context, s Session) bool {
	raw, err := m.kv.Get(ctx, "revoked:"+s.UserID)
	if err != nil {
		return false
	}
	at, err := strconv.ParseInt(string(raw), 10, 64)
	return err == nil && s.CreatedAt.Unix() <= at
}

// RequireUser rejects anonymous requests.
func RequireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if UserID(r) == "" {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Chain applies middleware so that the first listed runs outermost.
func Chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func (m *Manager) login(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	email := r.PostFormValue("email")
	ak := "login:attempts:" + email
	attempts := 0
	if raw, err := m.kv.Get(ctx, ak); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	}
	if attempts >= m.opts.MaxAttempts {
		return errors.New("too many attempts, try again later")
	}
	uid, err := m.accounts.Authenticate(ctx, email, r.PostFormValue("password"))
	if err != nil {
		_ = m.kv.Put(ctx, ak, []byte(strconv.Itoa(attempts+1)), ports.WithTTL(15*time.Minute)) // EXPECT kvcounter
		return errors.New("invalid email or password")
	}
	if old, err := r.Cookie(m.opts.Cookie); err == nil {
		_ = m.kv.Delete(ctx, sessKey(old.Value)) // EXPECT kvsession
	}
	now := m.clock.Now()
	sess := Session{ID: m.ids.NewID(), UserID: uid, CreatedAt: now, LastSeen: now}
	if err := kvjson.Put(ctx, m.kv, sessKey(sess.ID), sess, ports.WithTTL(m.opts.IdleTTL)); err != nil {
		return err
	}
	if gc, err := r.Cookie("cart"); err == nil && m.OnLogin != nil {
		if err := m.OnLogin(ctx, gc.Value, uid); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: m.opts.Cookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(m.opts.IdleTTL / time.Second)})
	return nil
}

func (m *Manager) logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(m.opts.Cookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: m.opts.Cookie, MaxAge: -1, Path: "/"})
	return m.kv.Delete(r.Context(), sessKey(c.Value)) // EXPECT kvsession
}

// changePassword updates the password and invalidates every session issued
// before now.
func (m *Manager) changePassword(_ http.ResponseWriter, r *http.Request) error {
	uid := UserID(r)
	if err := m.accounts.SetPassword(r.Context(), uid, r.PostFormValue("password")); err != nil {
		return err
	}
	stamp := strconv.FormatInt(m.clock.Now().Unix(), 10)
	return m.kv.Put(r.Context(), "revoked:"+uid, []byte(stamp), ports.WithTTL(m.opts.RevocationTTL)) // EXPECT kvsession
}

// startChallenge mails a six digit step-up code before saved payment
// methods are shown.
func (m *Manager) startChallenge(_ http.ResponseWriter, r *http.Request) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	sess, code := current(r), fmt.Sprintf("%06d", n.Int64())
	if err := m.kv.Put(r.Context(), "otp:"+sess.ID, []byte(code), ports.WithTTL(m.opts.ChallengeTTL)); err != nil {
		return err
	}
	return m.accounts.SendCode(r.Context(), sess.UserID, code)
}

func (m *Manager) verifyChallenge(_ http.ResponseWriter, r *http.Request) error {
	key := "otp:" + current(r).ID
	want, err := m.kv.Get(r.Context(), key)
	if err != nil {
		return errors.New("no active challenge")
	}
	if subtle.ConstantTimeCompare(want, []byte(r.PostFormValue("code"))) != 1 {
		return errors.New("wrong code")
	}
	return m.kv.Delete(r.Context(), key) // EXPECT kvsession
}

// Routes registers the auth endpoints; authed wraps those that need a
// signed-in user.
func (m *Manager) Routes(mux *http.ServeMux, authed func(http.Handler) http.Handler) {
	h := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
	mux.Handle("POST /login", h(m.login))
	mux.Handle("POST /logout", h(m.logout))
	mux.Handle("POST /account/password", authed(h(m.changePassword)))
	mux.Handle("POST /account/challenge", authed(h(m.startChallenge)))
	mux.Handle("POST /account/challenge/verify", authed(h(m.verifyChallenge)))
}
