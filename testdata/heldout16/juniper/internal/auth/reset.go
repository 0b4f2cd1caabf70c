package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/records"
)

// ErrInvalidLink is returned for unknown or expired reset links.
var ErrInvalidLink = errors.New("auth: reset link is invalid or expired")

// Mailer sends transactional email.
type Mailer interface {
	SendReset(ctx context.Context, email, link string) error
}

// ResetLinks issues and redeems password reset links.
type ResetLinks struct {
	ns      cfapi.Namespace
	dir     Directory
	mail    Mailer
	baseURL string
	ttl     time.Duration
	now     func() time.Time
}

// NewResetLinks wires the reset flow.
func NewResetLinks(ns cfapi.Namespace, dir Directory, mail Mailer, baseURL string, ttl time.Duration) *ResetLinks {
	return &ResetLinks{ns: ns, dir: dir, mail: mail, baseURL: baseURL, ttl: ttl, now: time.Now}
}

func resetKey(token string) string { return "reset/" + token }

// Issue stores a reset token for email and mails the link.
func (r *ResetLinks) Issue(ctx context.Context, email string) error {
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	expiresAt := r.now().Add(r.ttl)
	_, err := r.ns.Client.KV.Namespaces.Values.Update(ctx, r.ns.ID, url.PathEscape(resetKey(token)), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.ns.AccountID),
		Value:      cloudflare.F(records.Normalize(email)),
		Expiration: cloudflare.F(float64(expiresAt.UnixMilli())), // EXPECT kvttl
	})
	if err != nil {
		return fmt.Errorf("auth: store reset token: %w", err)
	}
	link := r.baseURL + "/reset?token=" + url.QueryEscape(token)
	return r.mail.SendReset(ctx, email, link)
}

// Redeem sets a new password for the account the token was issued to.
func (r *ResetLinks) Redeem(ctx context.Context, token, newPassword string) error {
	email, err := r.ns.GetString(ctx, resetKey(token))
	if err != nil {
		return fmt.Errorf("auth: look up reset token: %w", err)
	}
	if email == "" { // EXPECT kvnull
		return ErrInvalidLink
	}
	if err := r.dir.SetPassword(ctx, email, newPassword); err != nil {
		return err
	}
	_, err = r.ns.Client.KV.Namespaces.Values.Delete(ctx, r.ns.ID, url.PathEscape(resetKey(token)), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(r.ns.AccountID),
	})
	return err
}
