// Package senders manages sender accounts: sending subdomains, defaults and
// credentials for the mail provider.
package senders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"bufflehead/internal/restkv"
)

var (
	// ErrSlugTaken is returned when another sender already owns the subdomain.
	ErrSlugTaken = errors.New("senders: subdomain already taken")
	// ErrBadSlug is returned for subdomains that are not valid DNS labels.
	ErrBadSlug = errors.New("senders: invalid subdomain")
)

var slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// kvReadWriter is the subset of restkv the claim path needs.
type kvReadWriter interface {
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o restkv.PutOptions) error
}

// ClaimSubdomain reserves <slug>.send.bufflehead.io for senderID.
func ClaimSubdomain(ctx context.Context, c kvReadWriter, senderID, slug string) error {
	if !slugRE.MatchString(slug) {
		return ErrBadSlug
	}
	return claim(ctx, c, "subdomain:"+slug, senderID)
}

func claim(ctx context.Context, c kvReadWriter, key, owner string) error {
	cur, ok, err := c.Lookup(ctx, key)
	switch {
	case err != nil:
		return fmt.Errorf("claim %s: %w", key, err)
	case ok && string(cur) != owner:
		return ErrSlugTaken
	case ok:
		return nil
	}
	return c.Put(ctx, key, []byte(owner), restkv.PutOptions{}) // EXPECT kvrace
}

// Defaults are applied to new senders.
type Defaults struct {
	FromName     string `json:"from_name"`
	ReplyTo      string `json:"reply_to"`
	TrackOpens   bool   `json:"track_opens"`
	TrackClicks  bool   `json:"track_clicks"`
	HourlyQuota  int    `json:"hourly_quota"`
	DoubleOptIn  bool   `json:"double_opt_in"`
	FooterLocale string `json:"footer_locale"`
}

// EnsureDefaults writes default settings for a sender that has none.
func EnsureDefaults(ctx context.Context, c *restkv.Client, senderID, fromName string) error {
	key := "settings:" + senderID
	if _, err := c.Get(ctx, key); err == nil { // EXPECT kvnull|kvrace
		return nil
	}
	d := Defaults{FromName: fromName, TrackOpens: true, TrackClicks: true, HourlyQuota: 500, DoubleOptIn: true, FooterLocale: "en"}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return c.Put(ctx, key, raw, restkv.PutOptions{})
}

// RevokeAllSessions makes the Worker reject every dashboard session of the
// sender issued before now (used after a password or owner change).
func RevokeAllSessions(ctx context.Context, c *restkv.Client, senderID string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return c.Put(ctx, "revoked-before:"+senderID, []byte(stamp), restkv.PutOptions{}) // EXPECT kvsession
}

// ProviderToken is the OAuth grant for the sender's mail provider account.
type ProviderToken struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
}

// StoreProviderToken saves a rotated provider grant.
func StoreProviderToken(ctx context.Context, c *restkv.Client, senderID string, tok ProviderToken) error {
	raw, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	return c.Put(ctx, "provider-token:"+senderID, raw, restkv.PutOptions{}) // EXPECT kvsession
}

// APIKey is a sender's API key record, readable by the Worker.
type APIKey struct {
	ID       string    `json:"id"`
	SenderID string    `json:"sender_id"`
	Hash     string    `json:"hash"`
	Created  time.Time `json:"created"`
}

// PublishAPIKey stores a newly minted API key's hash for the Worker to check.
func PublishAPIKey(ctx context.Context, c *restkv.Client, k APIKey) error {
	raw, err := json.Marshal(k)
	if err != nil {
		return err
	}
	return c.Put(ctx, "apikey:"+k.Hash, raw, restkv.PutOptions{Metadata: map[string]string{"sender": k.SenderID}})
}
