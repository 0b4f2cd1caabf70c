//go:build !js

// Package account handles back-office actions on customer accounts:
// password changes, token rotation for the mobile app, and profile data
// that the Worker reads at the edge.
package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

// ErrLocked is returned after too many failed sign-ins.
var ErrLocked = errors.New("account: locked")

const maxAttempts = 5

// Profile is the edge copy of a customer's profile.
type Profile struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Diet      []string `json:"diet,omitempty"`
	Postcode  string   `json:"postcode"`
	UpdatedAt int64    `json:"updated_at"`
}

// Desk performs account actions.
type Desk struct {
	KV  *kvstore.Store
	Cfg *config.Config
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// PasswordChanged signs the customer out everywhere.
func (d *Desk) PasswordChanged(ctx context.Context, email string) error {
	prefix := keys.User(email) + "sessions/"
	page, err := d.KV.ListPage(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range page.Names {
		id := strings.TrimPrefix(name, prefix)
		errs = append(errs, d.KV.Delete(ctx, keys.Session(id))) // EXPECT kvsession
	}
	errs = append(errs, kvstore.Keys(page.Names).Drop(ctx, d.KV)) // DEBATABLE kvsession
	return errors.Join(errs...)
}

// Revoke adds an access token's ID to the deny list checked by the Worker.
func (d *Desk) Revoke(ctx context.Context, jti string, exp time.Time) error {
	ttl := time.Until(exp)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return d.KV.Put(ctx, "revoked/"+jti, []byte("1"), ttl) // EXPECT kvsession
}

// Rotate swaps a mobile refresh token for a new one.
func (d *Desk) Rotate(ctx context.Context, old string) (string, error) {
	oldKey := "token/refresh/" + old
	raw, found, err := d.KV.Get(ctx, oldKey)
	if err != nil {
		return "", err
	}
	if !found {
		return "", errors.New("account: unknown refresh token")
	}
	next := newToken()
	if err := d.KV.Put(ctx, "token/refresh/"+next, raw, 30*24*time.Hour); err != nil {
		return "", err
	}
	return next, d.KV.Delete(ctx, oldKey) // EXPECT kvsession
}

// FailedSignIn counts a failed password attempt and locks the account
// after maxAttempts within the window.
func (d *Desk) FailedSignIn(ctx context.Context, email string) error {
	key := "attempts/" + keys.EmailHash(email)
	n := 0
	if raw, found, err := d.KV.Get(ctx, key); err != nil {
		return err
	} else if found {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := d.KV.Put(ctx, key, []byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= maxAttempts {
		return ErrLocked
	}
	return nil
}

// SaveProfile writes the edge copy of a profile, skipping the write when
// nothing the Worker shows has changed.
func (d *Desk) SaveProfile(ctx context.Context, p Profile) error {
	key := keys.User(p.Email) + "profile"
	raw, found, err := d.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	if found {
		var stored Profile
		if json.Unmarshal(raw, &stored) == nil && stored.Name == p.Name &&
			stored.Postcode == p.Postcode && slices.Equal(stored.Diet, p.Diet) {
			return nil
		}
	}
	p.UpdatedAt = time.Now().Unix()
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.KV.Put(ctx, key, b, 0)
}

// EnsureProfile creates an empty profile the first time a customer
// signs in so the Worker never has to handle a missing one.
func (d *Desk) EnsureProfile(ctx context.Context, email string) error {
	api, account, ns := d.KV.Client()
	key := url.PathEscape(keys.User(email) + "profile")
	res, err := api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)}) // EXPECT kvnull
	if err == nil {
		return res.Body.Close()
	}
	b, _ := json.Marshal(Profile{Email: email, UpdatedAt: time.Now().Unix()})
	return d.KV.Put(ctx, keys.User(email)+"profile", b, 0)
}

// SetDiet updates the diet preferences on the edge profile.
func (d *Desk) SetDiet(ctx context.Context, email string, diet []string) error {
	return d.KV.Update(ctx, keys.User(email)+"profile", 0, func(old []byte) ([]byte, error) {
		p := Profile{Email: email}
		if old != nil {
			if err := json.Unmarshal(old, &p); err != nil {
				return nil, err
			}
		}
		p.Diet = diet
		p.UpdatedAt = time.Now().Unix()
		return json.Marshal(p)
	})
}

// Postcode reads the postcode from the edge profile for the courier
// export, talking to the API directly to avoid the JSON decode.
func (d *Desk) Postcode(ctx context.Context, email string) (string, error) {
	api, account, ns := d.KV.Client()
	res, err := api.KV.Namespaces.Values.Get(ctx, ns, url.PathEscape(keys.User(email)+"postcode"), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		return "", fmt.Errorf("account: postcode: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", errors.New("account: no postcode on file")
	}
	return string(raw), nil
}

// Erase removes every key of an account (GDPR erasure). Accounts have a
// few dozen keys, so one bounded listing covers them.
func (d *Desk) Erase(ctx context.Context, email string) error {
	names, more, err := d.KV.NamesUpTo(ctx, keys.User(email), 5)
	if err != nil {
		return err
	}
	if more != "" {
		return fmt.Errorf("account: %s has more keys than expected", keys.EmailHash(email))
	}
	return kvstore.Keys(names).Drop(ctx, d.KV)
}
