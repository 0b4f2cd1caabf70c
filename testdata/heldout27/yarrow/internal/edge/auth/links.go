//go:build js && wasm

package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/edge/kvstore"
)

// Errors returned by Links.
var (
	ErrInvalidEmail = errors.New("auth: invalid e-mail address")
	ErrTooMany      = errors.New("auth: too many login links requested")
	ErrLinkExpired  = errors.New("auth: login link expired or already used")
)

// Links issues and redeems e-mailed login links.
type Links struct {
	binding     string
	ttl         time.Duration
	maxRequests int
	baseURL     string
	sessions    *Sessions
	clock       Clock
}

// ProvideLinks is the constructor used by the wiring in cmd/edge.
func ProvideLinks(cfg config.Config, s *Sessions, c Clock) *Links {
	return &Links{
		binding:     cfg.Bindings.Sessions,
		ttl:         cfg.LoginLinkTTL(),
		maxRequests: cfg.MaxLinkRequests,
		baseURL:     strings.TrimSuffix(cfg.PublicBaseURL, "/"),
		sessions:    s,
		clock:       c,
	}
}

func (l *Links) namespace(ctx context.Context) (*kv.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return kv.NewNamespace(l.binding)
}

func linkKey(token string) string {
	var b strings.Builder
	b.Grow(len("login-link:") + len(token))
	b.WriteString("login-link:")
	b.WriteString(token)
	return b.String()
}

// Issue mints a login link for the address and returns its URL.
func (l *Links) Issue(ctx context.Context, email domain.Email) (string, error) {
	email = email.Normalize()
	if !email.Valid() {
		return "", ErrInvalidEmail
	}
	if err := l.throttle(ctx, email); err != nil {
		return "", err
	}
	ns, err := l.namespace(ctx)
	if err != nil {
		return "", err
	}
	token := domain.NewToken(32)
	deadline := l.clock.Now().Add(l.ttl)
	if err := ns.PutString(linkKey(token), string(email), &kv.PutOptions{Expiration: int(deadline.UnixMilli())}); err != nil { // EXPECT kvttl
		return "", fmt.Errorf("auth: store link: %w", err)
	}
	return l.baseURL + "/login/" + token, nil
}

func (l *Links) throttle(ctx context.Context, email domain.Email) error {
	ns, err := l.namespace(ctx)
	if err != nil {
		return err
	}
	key := email.AttemptsKey()
	v, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != kvstore.Null {
		if n, err = strconv.Atoi(v); err != nil {
			n = 0
		}
	}
	if n >= l.maxRequests {
		return ErrTooMany
	}
	return ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter
}

// Redeem exchanges a link token for a new session.
func (l *Links) Redeem(ctx context.Context, token string) (*domain.Session, error) {
	ns, err := l.namespace(ctx)
	if err != nil {
		return nil, err
	}
	key := linkKey(token)
	v, err := ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if v == kvstore.Null {
		return nil, ErrLinkExpired
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return l.sessions.Create(ctx, domain.Email(v))
}
