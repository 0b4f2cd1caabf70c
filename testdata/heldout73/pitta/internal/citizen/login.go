// Package citizen handles citizen sign-in by e-mailed magic link.
package citizen

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

const (
	linkLifetime  = 15 * time.Minute
	maxLinksPerHr = 5
)

// Mailer sends the sign-in e-mail.
type Mailer interface {
	SendLoginLink(ctx context.Context, to, link string) error
}

// Directory resolves an e-mail address to a citizen account.
type Directory interface {
	CitizenByEmail(ctx context.Context, email string) (id string, err error)
}

type magicLink struct {
	CitizenID string    `json:"citizen_id"`
	Email     string    `json:"email"`
	Issued    time.Time `json:"issued"`
	Next      string    `json:"next,omitempty"`
}

// Login serves /login and /login/callback.
type Login struct {
	ns        *kvstore.Namespace
	sessions  *scs.SessionManager
	mailer    Mailer
	dir       Directory
	publicURL string
	log       *slog.Logger
}

// NewLogin builds the login handlers.
func NewLogin(ns *kvstore.Namespace, sm *scs.SessionManager, m Mailer, d Directory, publicURL string, log *slog.Logger) *Login {
	return &Login{ns: ns, sessions: sm, mailer: m, dir: d, publicURL: publicURL, log: log}
}

// Start handles POST /login: it mails a one-time sign-in link.
func (l *Login) Start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	addr, err := mail.ParseAddress(r.FormValue("email"))
	if err != nil {
		http.Error(w, "invalid e-mail address", http.StatusBadRequest)
		return
	}
	email := strings.ToLower(addr.Address)
	if over, err := l.tooManyLinks(ctx, email); err != nil {
		l.fail(w, err)
		return
	} else if over {
		http.Error(w, "too many sign-in attempts, try again in an hour", http.StatusTooManyRequests)
		return
	}
	id, err := l.dir.CitizenByEmail(ctx, email)
	if err != nil {
		// Do not reveal whether the address has an account.
		http.Redirect(w, r, "/login/sent", http.StatusSeeOther)
		return
	}
	token := randomToken()
	raw, _ := json.Marshal(magicLink{CitizenID: id, Email: email, Issued: time.Now().UTC(), Next: r.FormValue("next")})
	if err := l.ns.Put(ctx, "magic:"+token, raw, linkLifetime); err != nil {
		l.fail(w, err)
		return
	}
	link := fmt.Sprintf("%s/login/callback?t=%s", l.publicURL, token)
	if err := l.mailer.SendLoginLink(ctx, email, link); err != nil {
		l.fail(w, err)
		return
	}
	http.Redirect(w, r, "/login/sent", http.StatusSeeOther)
}

// tooManyLinks counts sign-in e-mails per address and hour.
func (l *Login) tooManyLinks(ctx context.Context, email string) (bool, error) {
	key := "login-attempts:" + email
	raw, _ := l.ns.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	if n >= maxLinksPerHr {
		return true, nil
	}
	return false, l.ns.Put(ctx, key, []byte(strconv.Itoa(n+1)), time.Hour) // EXPECT kvrace|kvcounter
}

// Callback handles GET /login/callback?t=...: it redeems the link and
// signs the citizen in.
func (l *Login) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.URL.Query().Get("t")
	if token == "" {
		http.Error(w, "missing token", http.StatusBadRequest)
		return
	}
	raw, err := l.ns.Get(ctx, "magic:"+token)
	if errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "this sign-in link has expired", http.StatusGone)
		return
	}
	if err != nil {
		l.fail(w, err)
		return
	}
	var link magicLink
	if err := json.Unmarshal(raw, &link); err != nil {
		l.fail(w, err)
		return
	}
	if err := l.ns.Delete(ctx, "magic:"+token); err != nil { // EXPECT kvsession
		l.fail(w, err)
		return
	}
	if err := l.sessions.RenewToken(ctx); err != nil {
		l.fail(w, err)
		return
	}
	l.sessions.Put(ctx, "citizen_id", link.CitizenID)
	l.sessions.Put(ctx, "email", link.Email)
	next := link.Next
	if next == "" || !strings.HasPrefix(next, "/") {
		next = "/bookings"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// Logout handles POST /logout.
func (l *Login) Logout(w http.ResponseWriter, r *http.Request) {
	if err := l.sessions.Destroy(r.Context()); err != nil {
		l.fail(w, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// CitizenID returns the signed-in citizen, or "".
func (l *Login) CitizenID(r *http.Request) string {
	return l.sessions.GetString(r.Context(), "citizen_id")
}

func (l *Login) fail(w http.ResponseWriter, err error) {
	l.log.Error("citizen login", "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
