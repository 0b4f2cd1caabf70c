package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/config"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore/cfkv"
	"example.com/academy/internal/retry"
)

var ErrTooManyResets = errors.New("auth: too many reset requests")

// Resets implements the forgotten-password flow on the auth namespace,
// through cloudflare-go directly.
type Resets struct {
	values      *kv.NamespaceValueService
	account, ns string
	cfg         config.Auth
	users       Users
	mailer      Mailer
	sessions    *Sessions
	observe     func(string, time.Duration)
}

func NewResets(client *cloudflare.Client, accountID, namespaceID string, cfg config.Auth, users Users, mailer Mailer, sessions *Sessions, observe func(string, time.Duration)) *Resets {
	return &Resets{values: client.KV.Namespaces.Values, account: accountID, ns: namespaceID, cfg: cfg, users: users, mailer: mailer, sessions: sessions, observe: observe}
}

func (r *Resets) get(ctx context.Context, key string) (string, error) {
	res, err := r.values.Get(ctx, r.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return string(raw), err
}

// Request mails a reset link if the address belongs to a learner.
func (r *Resets) Request(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := r.throttle(ctx, email); err != nil {
		return err
	}
	learnerID, err := r.users.LookupEmail(ctx, email)
	if err != nil {
		return nil // don't reveal whether the address exists
	}
	token, err := randomID()
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.account),
		Value:         cloudflare.F(learnerID),
		ExpirationTTL: cloudflare.F(r.cfg.ResetTokenTTL.Seconds()),
	}
	if _, err := r.values.Update(ctx, r.ns, keys.Reset+token, params); err != nil {
		return fmt.Errorf("auth: store reset token: %w", err)
	}
	return r.mailer.Send(ctx, email, "Reset your password", "https://academy.example.com/reset?t="+token)
}

// throttle allows ResetsPerHour reset mails per address.
func (r *Resets) throttle(ctx context.Context, email string) error {
	key := "ratelimit:reset:" + email
	raw, err := r.get(ctx, key)
	if err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	sent, _ := strconv.Atoi(raw)
	if sent >= r.cfg.ResetsPerHour {
		return ErrTooManyResets
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.account),
		Value:         cloudflare.F(strconv.Itoa(sent + 1)),
		ExpirationTTL: cloudflare.F(3600.0),
	}
	return retry.Timed("kv.put.reset_throttle", r.observe, func() error {
		_, err := r.values.Update(ctx, r.ns, key, params) // EXPECT kvcounter
		return err
	})
}

// Redeem sets the new password for the token's learner and signs them out
// of every device.
func (r *Resets) Redeem(ctx context.Context, token, newPassword string) error {
	key := keys.Reset + token
	learnerID, err := r.get(ctx, key)
	if cfkv.IsNotFound(err) {
		return ErrInvalidToken
	}
	if err != nil {
		return err
	}
	if err := r.users.SetPassword(ctx, learnerID, newPassword); err != nil {
		return err
	}
	if _, err := r.values.Delete(ctx, r.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.account)}); err != nil { // EXPECT kvsession
		return fmt.Errorf("auth: consume reset token: %w", err)
	}
	return r.sessions.RevokeAll(ctx, learnerID)
}
