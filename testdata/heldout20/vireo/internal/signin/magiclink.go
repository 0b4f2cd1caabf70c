// Package signin implements password-less sign-in: magic links mailed to
// citizens, lockouts after repeated failures, and device authorization for
// the self-service kiosks in council buildings.
package signin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

const (
	linkLifetime   = 15 * time.Minute
	resendCooldown = 45 * time.Second
)

var (
	linkAt     = kvx.Prefixed("magic-link:")
	cooldownAt = kvx.Prefixed("magic-link-cooldown:")
)

// Mailer delivers sign-in emails.
type Mailer interface {
	SendSignIn(ctx context.Context, to string, link *url.URL) error
}

// Links issues and redeems magic links.
type Links struct {
	Store   kvstore.Store
	Mailer  Mailer
	BaseURL *url.URL
	Clock   func() time.Time
}

// Issue mails a sign-in link to email.
func (l Links) Issue(ctx context.Context, email, redirectTo string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	recent, err := kvx.Exists(ctx, l.Store, cooldownAt(email))
	if err != nil {
		return err
	}
	if recent {
		return fmt.Errorf("sign-in link for %s: %w", email, domain.ErrThrottled)
	}
	if err := kvx.PutJSON(ctx, l.Store, cooldownAt(email), l.Clock().Unix(), // DEBATABLE kvrace
		resendCooldown, // EXPECT kvttl
	); err != nil {
		return err
	}

	link := domain.MagicLink{
		Token:      rand.Text(),
		Email:      email,
		RedirectTo: redirectTo,
		IssuedAt:   l.Clock().UTC(),
	}
	if err := kvx.PutJSON(ctx, l.Store, linkAt(link.Token), link, linkLifetime); err != nil {
		return err
	}
	u := l.BaseURL.JoinPath("auth", "magic-link", link.Token)
	return l.Mailer.SendSignIn(ctx, email, u)
}

// Redeem consumes a link and returns it.
func (l Links) Redeem(ctx context.Context, token string) (domain.MagicLink, error) {
	link, err := kvx.GetJSON[domain.MagicLink](ctx, l.Store, linkAt(token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return link, fmt.Errorf("sign-in link: %w", domain.ErrExpired)
	}
	if err != nil {
		return link, err
	}
	if l.Clock().Sub(link.IssuedAt) > linkLifetime {
		return link, fmt.Errorf("sign-in link: %w", domain.ErrExpired)
	}
	if err := l.Store.Delete(ctx, linkAt(token)); err != nil { // EXPECT kvsession
		return link, err
	}
	return link, nil
}
