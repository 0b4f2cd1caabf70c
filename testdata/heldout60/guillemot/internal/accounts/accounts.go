// Package accounts is the forum's member directory. Account records live in
// the "accounts" KV namespace; public profiles are published to the namespace
// the edge Worker reads.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/crypto/bcrypt"

	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/accounts")

var (
	ErrNoAccount   = errors.New("accounts: no such account")
	ErrHandleTaken = errors.New("accounts: handle is taken")
)

// Status values of an account.
const (
	StatusActive          = "active"
	StatusDisabled        = "disabled"
	StatusPendingDeletion = "pending_deletion"
)

// Account is a member's stored record.
type Account struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Handle       string    `json:"handle"`
	DisplayName  string    `json:"display_name"`
	Bio          string    `json:"bio,omitempty"`
	PasswordHash []byte    `json:"password_hash"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
	LastLoginAt  time.Time `json:"last_login_at,omitzero"`
	DeleteAfter  time.Time `json:"delete_after,omitzero"`
}

// Meta is stored as the account key's list metadata; keep it small.
type Meta struct {
	Status    string `json:"s"`
	Handle    string `json:"h"`
	LastLogin int64  `json:"l,omitempty"`
}

// Profile is the public part of an account, served by the edge Worker.
type Profile struct {
	Handle      string    `json:"handle"`
	DisplayName string    `json:"display_name"`
	Bio         string    `json:"bio,omitempty"`
	Joined      time.Time `json:"joined"`
}

// CheckPassword reports whether pw matches the account's password.
func (a *Account) CheckPassword(pw string) bool {
	return bcrypt.CompareHashAndPassword(a.PasswordHash, []byte(pw)) == nil
}

// Directory reads and writes account records.
type Directory struct {
	ns       *kv.Cached
	profiles *kv.Namespace
}

// NewDirectory returns a directory over the accounts namespace (with its
// in-process cache) and the public profiles namespace.
func NewDirectory(ns *kv.Cached, profiles *kv.Namespace) *Directory {
	return &Directory{ns: ns, profiles: profiles}
}

// AccountKey is the key of an account record.
func AccountKey(uid string) string { return "acct:" + uid }

func emailKey(email string) string { return "email:" + strings.ToLower(strings.TrimSpace(email)) }
func handleKey(h string) string    { return "handle:" + strings.ToLower(h) }
func profileKey(h string) string   { return "profile:" + strings.ToLower(h) }

// ByID returns the account with the given ID.
func (d *Directory) ByID(ctx context.Context, uid string) (*Account, error) {
	raw, err := d.ns.Get(ctx, AccountKey(uid))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, ErrNoAccount
	}
	if err != nil {
		return nil, err
	}
	var a Account
	return &a, json.Unmarshal(raw, &a)
}

// ByEmail returns the account registered with email.
func (d *Directory) ByEmail(ctx context.Context, email string) (*Account, error) {
	ctx, span := tracer.Start(ctx, "accounts.by_email")
	defer span.End()
	uid, err := d.ns.Namespace.Get(ctx, emailKey(email))
	if err != nil {
		span.RecordError(err)
		return nil, err
	}
	if len(uid) == 0 { // EXPECT kvnull
		return nil, ErrNoAccount
	}
	return d.ByID(ctx, string(uid))
}

// Save writes the account record and its list metadata.
func (d *Directory) Save(ctx context.Context, a *Account) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	meta := Meta{Status: a.Status, Handle: a.Handle}
	if !a.LastLoginAt.IsZero() {
		meta.LastLogin = a.LastLoginAt.Unix()
	}
	defer d.ns.Forget(AccountKey(a.ID))
	return d.ns.PutMeta(ctx, AccountKey(a.ID), data, meta, 0)
}

// ClaimHandle reserves handle for the account (sign-up and renames).
func (d *Directory) ClaimHandle(ctx context.Context, uid, handle string) error {
	_, err := d.ns.Namespace.Get(ctx, handleKey(handle))
	switch {
	case err == nil:
		return ErrHandleTaken
	case !errors.Is(err, kv.ErrNotFound):
		return err
	}
	return d.ns.Put(ctx, handleKey(handle), []byte(uid), 0) // EXPECT kvrace
}

// TouchLastLogin records a successful sign-in on the account record.
func (d *Directory) TouchLastLogin(ctx context.Context, uid string, at time.Time) error {
	ctx, span := tracer.Start(ctx, "accounts.touch_last_login")
	defer span.End()
	raw, err := d.ns.Namespace.Get(ctx, AccountKey(uid))
	if err != nil {
		span.RecordError(err)
		return err
	}
	var a Account
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	a.LastLoginAt = at.UTC()
	data, err := json.Marshal(&a)
	if err != nil {
		return err
	}
	d.ns.Forget(AccountKey(uid))
	return d.ns.PutMeta(ctx, AccountKey(uid), data, Meta{Status: a.Status, Handle: a.Handle, LastLogin: at.Unix()}, 0) // EXPECT kvrace
}

func (a *Account) profile() Profile {
	return Profile{Handle: a.Handle, DisplayName: a.DisplayName, Bio: a.Bio, Joined: a.CreatedAt}
}

// PublishProfile writes the account's public profile for the edge.
func (d *Directory) PublishProfile(ctx context.Context, a *Account) error {
	data, err := json.Marshal(a.profile())
	if err != nil {
		return err
	}
	return d.profiles.Put(ctx, profileKey(a.Handle), data, 0)
}

// PublishAll republishes the profiles of accts, e.g. after a template change.
func (d *Directory) PublishAll(ctx context.Context, accts []*Account) error {
	ctx, span := tracer.Start(ctx, "accounts.publish_all")
	defer span.End()
	span.SetAttributes(attribute.Int("accounts.count", len(accts)))
	for _, a := range accts {
		if a.Status != StatusActive {
			continue
		}
		if err := d.PublishProfile(ctx, a); err != nil {
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if err := d.profiles.Put(ctx, "profiles:updated-at", stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ProfileByHandle returns the public profile of the account holding handle.
// The lookup skips the in-process cache: handles change hands on renames.
func (d *Directory) ProfileByHandle(ctx context.Context, handle string) (*Profile, error) {
	uid, err := d.ns.Namespace.Get(ctx, handleKey(handle))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, ErrNoAccount
	} else if err != nil {
		return nil, err
	}
	a, err := d.ByID(ctx, string(uid))
	if err != nil {
		return nil, err
	}
	if a.Status != StatusActive {
		return nil, ErrNoAccount
	}
	p := a.profile()
	return &p, nil
}
