//go:build js && wasm

// Package session manages player sessions (anonymous, one per browser) and
// host sessions (signed in by magic link).
package session

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/edge/platform"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/kvkey"
	"github.com/quizfleet/dipper/internal/web"
)

const (
	playerCookie  = "qp_sess"
	hostCookie    = "qh_sess"
	refreshCookie = "qh_refresh"

	playerSessionTTL = 2 * time.Hour
	playerIdleSlide  = time.Minute
	magicLinkTTL     = 15 * time.Minute
	hostSessionLife  = 12 * time.Hour
	refreshTokenTTL  = 30 * 24 * time.Hour
)

var (
	ErrNoSession = web.Fail(http.StatusUnauthorized, "pick a nickname first")
	ErrNotHost   = web.Fail(http.StatusUnauthorized, "sign in first")
	errRetry     = errors.New("session: store unavailable")
)

// Player is an anonymous player's session.
type Player struct {
	_        struct{}  `kv:"sess/{ID}"`
	ID       string    `json:"id"`
	Nickname string    `json:"nickname"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Host is a signed-in host's session. Keys are grouped by host so that the
// backend can sign a host out everywhere.
type Host struct {
	_       struct{}  `kv:"host-sess/{HostID}/{ID}"`
	ID      string    `json:"id"`
	HostID  string    `json:"host_id"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
}

type magicLink struct {
	_       struct{}  `kv:"magic/{Token}"`
	Token   string    `json:"token"`
	Email   string    `json:"email"`
	HostID  string    `json:"host_id"`
	Created time.Time `json:"created"`
}

type refreshToken struct {
	Token  string    `json:"token"`
	HostID string    `json:"host_id"`
	Email  string    `json:"email"`
	Issued time.Time `json:"issued"`
}

func (t refreshToken) KVKey() string { return "refresh/" + t.Token }

// Register adds the session routes to mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /sessions", web.Handle(createPlayer))
	mux.HandleFunc("PATCH /sessions/current", web.Handle(rename))
	mux.HandleFunc("DELETE /sessions/current", web.Handle(logout))
	mux.HandleFunc("POST /auth/magic", web.Handle(sendMagicLink))
	mux.HandleFunc("GET /auth/magic/{token}", web.Handle(redeemMagicLink))
	mux.HandleFunc("POST /auth/refresh", web.Handle(refresh))
}

type nicknameBody struct {
	Nickname string `json:"nickname"`
}

func (b *nicknameBody) valid() bool {
	b.Nickname = strings.TrimSpace(b.Nickname)
	return b.Nickname != "" && len(b.Nickname) <= 24
}

func createPlayer(w http.ResponseWriter, r *http.Request) (any, error) {
	var body nicknameBody
	if err := web.Decode(r, &body); err != nil || !body.valid() {
		return nil, web.Fail(http.StatusBadRequest, "nickname required")
	}
	now := time.Now().UTC()
	p := &Player{ID: rand.Text(), Nickname: body.Nickname, Created: now, LastSeen: now}
	if err := store.Save(store.Sessions(), p, playerSessionTTL); err != nil {
		return nil, err
	}
	setCookie(w, playerCookie, p.ID, playerSessionTTL)
	return web.Created{V: p}, nil
}

func lookupPlayer(r *http.Request) (*Player, error) {
	c, err := r.Cookie(playerCookie)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	p := &Player{ID: c.Value}
	if ok, err := store.Load(store.Sessions(), p); err != nil || !ok {
		return nil, orElse(err, ErrNoSession)
	}
	return p, nil
}

// CurrentPlayer returns the request's player session. Active players keep
// their session: it is pushed forward at most once a minute.
func CurrentPlayer(r *http.Request) (*Player, error) {
	p, err := lookupPlayer(r)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if now.Sub(p.LastSeen) < playerIdleSlide {
		return p, nil
	}
	p.LastSeen = now
	if err := store.Save(store.Sessions(), p, playerSessionTTL); err != nil { // EXPECT kvsession
		return nil, err
	}
	return p, nil
}

func rename(w http.ResponseWriter, r *http.Request) (any, error) {
	p, err := lookupPlayer(r)
	if err != nil {
		return nil, err
	}
	var body nicknameBody
	if err := web.Decode(r, &body); err != nil || !body.valid() {
		return nil, web.Fail(http.StatusBadRequest, "nickname required")
	}
	p.Nickname = body.Nickname
	if err := store.Save(store.Sessions(), p, playerSessionTTL); err != nil { // EXPECT kvsession
		return nil, err
	}
	return p, nil
}

func logout(w http.ResponseWriter, r *http.Request) (any, error) {
	if p, err := lookupPlayer(r); err == nil {
		if err := store.Delete(store.Sessions(), kvkey.Of(p)); err != nil { // EXPECT kvsession
			return nil, err
		}
	}
	setCookie(w, playerCookie, "", -1)
	return nil, nil
}

// RequireHost returns the request's host session.
func RequireHost(r *http.Request) (*Host, error) {
	c, err := r.Cookie(hostCookie)
	if err != nil {
		return nil, ErrNotHost
	}
	hostID, id, ok := strings.Cut(c.Value, ".")
	if !ok {
		return nil, ErrNotHost
	}
	h := &Host{HostID: hostID, ID: id}
	if found, err := store.Load(store.Sessions(), h); err != nil || !found {
		return nil, orElse(err, ErrNotHost)
	}
	return h, nil
}

func sendMagicLink(w http.ResponseWriter, r *http.Request) (any, error) {
	var body struct {
		Email string `json:"email"`
	}
	if err := web.Decode(r, &body); err != nil || !strings.Contains(body.Email, "@") {
		return nil, web.Fail(http.StatusBadRequest, "email required")
	}
	email := strings.ToLower(strings.TrimSpace(body.Email))
	hostID, err := hostIDForEmail(r.Context(), email)
	if err != nil {
		// Same answer for unknown addresses, so the form cannot be used to
		// probe for accounts.
		return map[string]bool{"sent": true}, nil
	}
	link := &magicLink{Token: rand.Text(), Email: email, HostID: hostID, Created: time.Now().UTC()}
	b, err := json.Marshal(link)
	if err != nil {
		return nil, err
	}
	err = store.Sessions().PutString(kvkey.Of(link), string(b), &cloudflare.KVNamespacePutOptions{ // DEBATABLE kvsession
		ExpirationTTL: int(magicLinkTTL), // EXPECT kvttl
	})
	if err != nil {
		return nil, err
	}
	mailer, err := platform.Mailer()
	if err != nil {
		return nil, err
	}
	if err := mailer.SendJSON(map[string]string{"to": email, "template": "magic-link", "token": link.Token}); err != nil {
		return nil, err
	}
	return map[string]bool{"sent": true}, nil
}

func redeemMagicLink(w http.ResponseWriter, r *http.Request) (any, error) {
	link := &magicLink{Token: r.PathValue("token")}
	ok, err := store.Load(store.Sessions(), link)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, web.Fail(http.StatusGone, "this link has expired")
	}
	if err := store.Sessions().Delete(kvkey.Of(link)); err != nil { // EXPECT kvsession
		return nil, err
	}
	if err := issueHost(w, link.HostID, link.Email); err != nil {
		return nil, err
	}
	return web.Redirect{URL: "/host", Status: http.StatusSeeOther}, nil
}

// issueHost starts a host session and mints its refresh token.
func issueHost(w http.ResponseWriter, hostID, email string) error {
	now := time.Now().UTC()
	h := &Host{ID: rand.Text(), HostID: hostID, Email: email, Created: now}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	err = store.Sessions().PutString(kvkey.Of(h), string(b), &cloudflare.KVNamespacePutOptions{
		Expiration: int(now.Add(hostSessionLife).Unix()),
	})
	if err != nil {
		return err
	}
	rt := refreshToken{Token: rand.Text(), HostID: hostID, Email: email, Issued: now}
	if err := store.Save(store.Sessions(), rt, refreshTokenTTL); err != nil {
		return err
	}
	setCookie(w, hostCookie, hostID+"."+h.ID, hostSessionLife)
	setCookie(w, refreshCookie, rt.Token, refreshTokenTTL)
	return nil
}

func refresh(w http.ResponseWriter, r *http.Request) (any, error) {
	c, err := r.Cookie(refreshCookie)
	if err != nil {
		return nil, ErrNotHost
	}
	old := refreshToken{Token: c.Value}
	if ok, err := store.Load(store.Sessions(), &old); err != nil || !ok {
		return nil, orElse(err, ErrNotHost)
	}
	if err := issueHost(w, old.HostID, old.Email); err != nil {
		return nil, err
	}
	if err := store.Delete(store.Sessions(), old.KVKey()); err != nil { // EXPECT kvsession
		return nil, err
	}
	return nil, nil
}

func hostIDForEmail(ctx context.Context, email string) (string, error) {
	db, err := platform.DB()
	if err != nil {
		return "", err
	}
	var id string
	err = db.QueryRowContext(ctx, `SELECT id FROM hosts WHERE email = ? AND status = 'active'`, email).Scan(&id)
	return id, err
}

// orElse returns err, or fallback when err is nil.
func orElse(err, fallback error) error {
	if err != nil {
		return errors.Join(errRetry, err)
	}
	return fallback
}

func setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}
