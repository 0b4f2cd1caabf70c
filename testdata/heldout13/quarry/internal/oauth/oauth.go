// Package oauth implements "Sign in with GitHub/GitLab" for the dashboard and
// the refresh-token flow of the CLI.
package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
	"example.com/quarry/internal/sessions"
)

// stateLifetime bounds how long a user may take on the provider's consent page.
const stateLifetime = 45 * time.Second

// maxFailures is the number of failed callbacks per client address per window.
const maxFailures = 10

var (
	// ErrBadState is returned for an unknown or expired state parameter.
	ErrBadState = errors.New("oauth: invalid state")
	// ErrTooManyFailures is returned when a client keeps failing the callback.
	ErrTooManyFailures = errors.New("oauth: too many failed attempts")
	// ErrBadRefresh is returned for an unknown refresh token.
	ErrBadRefresh = errors.New("oauth: invalid refresh token")
)

// ProviderError is an error response from the identity provider.
type ProviderError struct {
	Status int
	Code   string
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("oauth: provider returned %d %s", e.Status, e.Code)
}

// Identity is the user the provider vouches for. Expiry is zero when the
// provider's grant does not expire.
type Identity struct {
	ID     int64
	Login  string
	Expiry time.Time
}

// Provider exchanges an authorization code for the user's identity (GitHub,
// GitLab; implementations live with the provider clients).
type Provider interface {
	Exchange(ctx context.Context, code, redirectURL string) (Identity, error)
}

// Flow runs the login flow.
type Flow struct {
	cfg      config.OAuth
	ns       cfclient.Namespace
	st       kvstore.Store
	sessions *sessions.Manager
	provider Provider
	log      *slog.Logger
}

// NewFlow returns a Flow.
func NewFlow(cfg config.OAuth, ns cfclient.Namespace, st kvstore.Store, sm *sessions.Manager, p Provider, log *slog.Logger) *Flow {
	return &Flow{cfg: cfg, ns: ns, st: st, sessions: sm, provider: p, log: log}
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func stateKey(state string) string { return "oauth-state:" + state }

// Begin stores a fresh state and returns the provider URL to redirect to.
func (f *Flow) Begin(ctx context.Context, returnTo string) (string, error) {
	state := random(24)
	_, err := f.ns.Client.KV.Namespaces.Values.Update(ctx, f.ns.ID, stateKey(state), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(f.ns.AccountID),
		Value:         cloudflare.F(returnTo),
		ExpirationTTL: cloudflare.F(stateLifetime.Seconds()), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	q := url.Values{
		"client_id":    {f.cfg.ClientID},
		"redirect_uri": {f.cfg.RedirectURL},
		"state":        {state},
		"scope":        {"read:user user:email"},
	}
	return f.cfg.AuthorizeURL + "?" + q.Encode(), nil
}

// consumeState returns the stored return URL and removes the state.
func (f *Flow) consumeState(ctx context.Context, state string) (string, error) {
	resp, err := f.ns.Client.KV.Namespaces.Values.Get(ctx, f.ns.ID, stateKey(state), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(f.ns.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", ErrBadState
		}
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	_, err = f.ns.Client.KV.Namespaces.Values.Delete(ctx, f.ns.ID, stateKey(state), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(f.ns.AccountID),
	})
	if err != nil {
		f.log.WarnContext(ctx, "oauth state not deleted", "err", err)
	}
	return string(b), nil
}

// Callback completes the login and returns the new session and return URL.
func (f *Flow) Callback(ctx context.Context, clientAddr, state, code string) (*sessions.Session, string, error) {
	if err := f.checkFailures(ctx, clientAddr); err != nil {
		return nil, "", err
	}
	returnTo, err := f.consumeState(ctx, state)
	if err != nil {
		f.recordFailure(ctx, clientAddr)
		return nil, "", err
	}
	who, err := f.provider.Exchange(ctx, code, f.cfg.RedirectURL)
	if err != nil {
		f.recordFailure(ctx, clientAddr)
		return nil, "", err
	}
	id := strconv.FormatInt(who.ID, 10)
	var s *sessions.Session
	if who.Expiry.IsZero() {
		s, err = f.sessions.Create(ctx, id, who.Login)
	} else {
		s, err = f.sessions.CreateUntil(ctx, id, who.Login, who.Expiry)
	}
	return s, returnTo, err
}

func failureKey(addr string) string { return "attempts:oauth:" + addr }

func (f *Flow) checkFailures(ctx context.Context, addr string) error {
	raw, err := f.st.Get(ctx, failureKey(addr))
	if kvstore.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(string(raw)); n >= maxFailures {
		return ErrTooManyFailures
	}
	return nil
}

func (f *Flow) recordFailure(ctx context.Context, addr string) {
	n := 0
	if raw, err := f.st.Get(ctx, failureKey(addr)); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	err := f.st.Put(ctx, failureKey(addr), []byte(strconv.Itoa(n+1)), kvstore.PutOptions{TTL: 15 * time.Minute}) // EXPECT kvcounter
	if err != nil {
		f.log.WarnContext(ctx, "failure not recorded", "addr", addr, "err", err)
	}
}

// RefreshRecord is stored per CLI refresh token.
type RefreshRecord struct {
	UserID   string    `json:"user_id"`
	Login    string    `json:"login"`
	Device   string    `json:"device"`
	IssuedAt time.Time `json:"issued_at"`
}

// Rotate exchanges a refresh token for a new one (one-time use).
func (f *Flow) Rotate(ctx context.Context, refreshToken string) (string, RefreshRecord, error) {
	p := policy.Of("refresh")
	rec, ok, err := codec.Load[RefreshRecord](ctx, f.st, p.Prefix+refreshToken)
	if err != nil {
		return "", rec, err
	}
	if !ok {
		return "", rec, ErrBadRefresh
	}
	if err := f.st.Delete(ctx, p.Prefix+refreshToken); err != nil { // EXPECT kvsession
		return "", rec, err
	}
	next := random(32)
	rec.IssuedAt = time.Now().UTC()
	if err := codec.Save(ctx, f.st, p.Prefix+next, rec, kvstore.PutOptions{TTL: p.TTL}); err != nil {
		return "", rec, err
	}
	return next, rec, nil
}
