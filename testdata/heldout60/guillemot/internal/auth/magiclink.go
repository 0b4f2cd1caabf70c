package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
)

const (
	magicLinkLifetime    = 15 * time.Minute
	magicLinksPerHour    = 5
	accessTokenLifetime  = 15 * time.Minute
	refreshTokenLifetime = 30 * 24 * time.Hour
)

func magicKey(jti string) string   { return "magic:" + jti }
func refreshKey(jti string) string { return "refresh:" + jti }
func revokedKey(jti string) string { return "revoked:" + jti }

func (s *Service) sign(claims jwt.RegisteredClaims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.signKey)
}

func (s *Service) parse(token, audience string) (*jwt.RegisteredClaims, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.signKey, nil },
		jwt.WithAudience(audience), jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired())
	if err != nil {
		return nil, fail(http.StatusUnauthorized, "invalid or expired token", err)
	}
	return &claims, nil
}

func newClaims(uid, audience string, lifetime time.Duration) jwt.RegisteredClaims {
	now := time.Now()
	return jwt.RegisteredClaims{
		ID:        randomID(),
		Subject:   uid,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}
}

// RequestMagicLink handles POST /login/email. The response does not reveal
// whether the address has an account.
func (s *Service) RequestMagicLink(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.magic_link_request")
	defer span.End()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	quotaKey := "quota:magic:" + email + ":" + time.Now().UTC().Format("2006010215")
	sent, err := s.counter(ctx, quotaKey)
	if err != nil {
		return err
	}
	if sent >= magicLinksPerHour {
		return fail(http.StatusTooManyRequests, "too many sign-in links requested", nil)
	}
	unknownKey := "unknown-email:" + email
	if _, err := s.ns.Get(ctx, unknownKey); err == nil {
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	acct, err := s.dir.ByEmail(ctx, email)
	if errors.Is(err, accounts.ErrNoAccount) {
		// Scanners retry the same addresses; spare the directory for a while.
		_ = s.ns.PutCache(ctx, unknownKey, []byte("1"), 30*time.Second)
		w.WriteHeader(http.StatusAccepted)
		return nil
	} else if err != nil {
		return err
	}

	claims := newClaims(acct.ID, "magic-link", magicLinkLifetime)
	token, err := s.sign(claims)
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, magicKey(claims.ID), []byte(acct.ID), magicLinkLifetime); err != nil {
		return err
	}
	if err := s.ns.Put(ctx, quotaKey, []byte(strconv.Itoa(sent+1)), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		span.RecordError(err)
	}
	link := s.baseURL + "/login/email/redeem?token=" + url.QueryEscape(token)
	if err := s.mailer.Send(ctx, acct.Email, "Your sign-in link", "Sign in to the forum: "+link); err != nil {
		return fail(http.StatusBadGateway, "could not send mail", err)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// RedeemMagicLink handles GET /login/email/redeem. The mobile app opens
// links with redirect=app and gets its first pair of tokens instead of a
// session.
func (s *Service) RedeemMagicLink(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.magic_link_redeem")
	defer span.End()
	claims, err := s.parse(r.URL.Query().Get("token"), "magic-link")
	if err != nil {
		return err
	}
	uid, err := s.ns.Get(ctx, magicKey(claims.ID))
	if errors.Is(err, kv.ErrNotFound) {
		return fail(http.StatusGone, "link already used", err)
	} else if err != nil {
		return err
	}
	if err := s.ns.Delete(ctx, magicKey(claims.ID)); err != nil { // EXPECT kvsession
		return err
	}
	acct, err := s.dir.ByID(ctx, string(uid))
	if err != nil {
		return fail(http.StatusForbidden, "account unavailable", err)
	}
	if r.URL.Query().Get("redirect") == "app" {
		toks, err := s.issueAppTokens(ctx, acct.ID)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, toks)
	}
	if err := s.startSession(w, r, acct); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// AppTokens is the response of the mobile app's token endpoints.
type AppTokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	Expires int64  `json:"expires_in"`
}

// issueAppTokens mints an access token and a single-use refresh token.
func (s *Service) issueAppTokens(ctx context.Context, uid string) (AppTokens, error) {
	access, err := s.sign(newClaims(uid, "app", accessTokenLifetime))
	if err != nil {
		return AppTokens{}, err
	}
	rc := newClaims(uid, "refresh", refreshTokenLifetime)
	refresh, err := s.sign(rc)
	if err != nil {
		return AppTokens{}, err
	}
	if err := s.ns.Put(ctx, refreshKey(rc.ID), []byte(uid), refreshTokenLifetime); err != nil {
		return AppTokens{}, fmt.Errorf("record refresh token: %w", err)
	}
	return AppTokens{Access: access, Refresh: refresh, Expires: int64(accessTokenLifetime.Seconds())}, nil
}

// RefreshAppToken handles POST /app/token/refresh.
func (s *Service) RefreshAppToken(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.app_token_refresh")
	defer span.End()
	claims, err := s.parse(r.PostFormValue("refresh_token"), "refresh")
	if err != nil {
		return err
	}
	uid, err := s.ns.Get(ctx, refreshKey(claims.ID))
	if errors.Is(err, kv.ErrNotFound) {
		return fail(http.StatusUnauthorized, "refresh token revoked", err)
	} else if err != nil {
		return err
	}
	if err := s.ns.Delete(ctx, refreshKey(claims.ID)); err != nil { // EXPECT kvsession
		return err
	}
	toks, err := s.issueAppTokens(ctx, string(uid))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toks)
}

// RevokeAppToken handles POST /app/token/revoke (sign-out in the app).
func (s *Service) RevokeAppToken(w http.ResponseWriter, r *http.Request) error {
	claims, err := s.parse(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), "app")
	if err != nil {
		return err
	}
	until := claims.ExpiresAt.Add(time.Minute)
	if err := s.ns.PutUntil(r.Context(), revokedKey(claims.ID), []byte(claims.Subject), until); err != nil { // EXPECT kvsession
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
