//go:build js && wasm

// Package auth handles creator logins at the edge: magic links mailed to the
// creator, an optional TOTP step, and the session cookie that follows.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/edgekv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	sessionTTL      = 14 * 24 * time.Hour
	linkTTL         = 15 * time.Minute
	challengeTTL    = 45 * time.Second
	maxLinkRequests = 5
	maxTOTPAttempts = 5
	cookieName      = "fennel_sid"
)

var (
	ErrLinkExpired = errors.New("auth: login link expired or already used")
	ErrTooMany     = errors.New("auth: too many requests")
	ErrNoSession   = errors.New("auth: not signed in")
	ErrBadCode     = errors.New("auth: invalid code")
	ErrNoChallenge = errors.New("auth: no pending challenge")
)

// Mailer delivers login links.
type Mailer interface {
	SendLoginLink(ctx context.Context, to, link string) error
}

// Session is what we keep per signed-in creator.
type Session struct {
	ID       string
	Creator  keys.CreatorID
	Email    string
	Created  time.Time
	Expires  time.Time
	TOTPDone bool
}

// Service owns the login flow. The KV store is embedded so the flow reads as
// plain Put/Lookup/Delete calls.
type Service struct {
	*edgekv.Store
	mail    Mailer
	baseURL string
	totp    func(creator keys.CreatorID, code string) bool
}

// New returns a login service over the sessions namespace.
func New(store *edgekv.Store, mail Mailer, baseURL string, totp func(keys.CreatorID, string) bool) *Service {
	return &Service{Store: store, mail: mail, baseURL: baseURL, totp: totp}
}

type linkGrant struct {
	Creator keys.CreatorID
	Email   string
	TOTP    bool
}

// RequestLink mails a one-time login link, subject to a per-IP budget.
func (s *Service) RequestLink(ctx context.Context, creator keys.CreatorID, email, ip string, totp bool) error {
	if err := s.allowLinkRequest(ip, time.Now()); err != nil {
		return err
	}
	tok := randomID(32)
	grant := codec.Must(codec.Gob(linkGrant{Creator: creator, Email: email, TOTP: totp}))
	if err := s.Put(keys.MagicLinkKey{Token: tok}, grant, linkTTL); err != nil {
		return err
	}
	return s.mail.SendLoginLink(ctx, email, s.baseURL+"/login/callback?t="+tok)
}

func (s *Service) allowLinkRequest(ip string, now time.Time) error {
	key := keys.RateLimit.With(ip + ":" + strconv.FormatInt(now.Unix()/60, 10))
	raw, err := s.Namespace().GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "" { // EXPECT kvnull
		if n, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("auth: rate bucket %s: %w", key, err)
		}
	}
	if n >= maxLinkRequests {
		return ErrTooMany
	}
	return s.Namespace().PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

// Redeem exchanges a login link token for a session, or for a pending TOTP
// challenge when the creator has a second factor.
func (s *Service) Redeem(ctx context.Context, token string) (sess *Session, needTOTP bool, err error) {
	defer codec.Recover(&err)

	raw, ok, err := s.Lookup(keys.MagicLinkKey{Token: token})
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, ErrLinkExpired
	}
	var g linkGrant
	if err := codec.Ungob(raw, &g); err != nil {
		return nil, false, err
	}
	if err := s.Delete(keys.MagicLinkKey{Token: token}); err != nil { // EXPECT kvsession
		return nil, false, err
	}

	uow := s.Batch()
	if g.TOTP {
		uow.Put(keys.TOTPKey{Creator: g.Creator}, codec.Must(codec.Gob(g)), challengeTTL) // EXPECT kvttl
		_, err = uow.Commit(ctx)
		return nil, true, err
	}
	sess = s.stageSession(uow, g.Creator, g.Email, false)
	_, err = uow.Commit(ctx)
	return sess, false, err
}

// stageSession adds a brand-new session and its CSRF secret to uow.
func (s *Service) stageSession(uow *edgekv.Batch, creator keys.CreatorID, email string, totp bool) *Session {
	now := time.Now().UTC()
	sess := &Session{
		ID:       randomID(24),
		Creator:  creator,
		Email:    email,
		Created:  now,
		Expires:  now.Add(sessionTTL),
		TOTPDone: totp,
	}
	uow.Put(keys.SessionKey{ID: sess.ID}, codec.Must(codec.Gob(sess)), sessionTTL) // DEBATABLE kvsession
	uow.Put(keys.CSRFKey{SessionID: sess.ID}, randomID(18), sessionTTL)
	return sess
}

// VerifyTOTP checks a code against the creator's pending challenge.
func (s *Service) VerifyTOTP(ctx context.Context, creator keys.CreatorID, code string) (*Session, error) {
	pending := keys.TOTPKey{Creator: creator}
	raw, ok, err := s.Lookup(pending)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoChallenge
	}
	var g linkGrant
	if err := codec.Ungob(raw, &g); err != nil {
		return nil, err
	}

	if !s.totp(creator, code) {
		tries := keys.Static(keys.TOTPTries.With(string(creator)))
		prev, found, err := s.Lookup(tries)
		if err != nil {
			return nil, err
		}
		var n uint64
		if found {
			if n, err = codec.ParseU64(prev); err != nil {
				return nil, err
			}
		}
		if n+1 >= maxTOTPAttempts {
			_ = s.Delete(pending) // EXPECT kvsession
		}
		if err := s.Put(tries, codec.U64(n+1), time.Hour); err != nil { // EXPECT kvcounter|kvrace
			return nil, err
		}
		return nil, ErrBadCode
	}

	uow := s.Batch()
	uow.Delete(pending) // EXPECT kvsession
	sess := s.stageSession(uow, creator, g.Email, true)
	if _, err := uow.Commit(ctx); err != nil {
		return nil, err
	}
	return sess, nil
}

// Logout ends the session named by the request cookie.
func (s *Service) Logout(ctx context.Context, r *http.Request) error {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	uow := s.Batch()
	uow.Delete(keys.SessionKey{ID: c.Value})     // EXPECT kvsession
	uow.Delete(keys.CSRFKey{SessionID: c.Value}) // DEBATABLE kvsession
	_, err = uow.Commit(ctx)
	return err
}

// SetCookie writes the session cookie for sess.
func SetCookie(w http.ResponseWriter, sess *Session) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    sess.ID,
		Path:     "/",
		Expires:  sess.Expires,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
