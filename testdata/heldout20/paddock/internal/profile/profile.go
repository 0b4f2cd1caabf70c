// Package profile serves public player profiles and owns gamertag claims.
package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/keys"
)

// Profile is the public card of a player.
type Profile struct {
	PlayerID string    `json:"player_id"`
	Gamertag string    `json:"gamertag"`
	Avatar   string    `json:"avatar"`
	Level    int       `json:"level"`
	Joined   time.Time `json:"joined"`
}

// Accounts is the account database (D1), the source of truth for profiles.
type Accounts interface {
	Profile(ctx context.Context, playerID string) (Profile, error)
	SetGamertag(ctx context.Context, playerID, tag string) error
}

// ErrGamertagTaken is returned when a gamertag belongs to someone else.
var ErrGamertagTaken = apperr.New(409, "gamertag_taken", "that gamertag is already taken")

// Directory reads profiles and manages gamertags.
type Directory struct {
	NS       cfkv.Namespace
	Accounts Accounts
	CacheTTL time.Duration
}

func (d Directory) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.NS.AccountID)}
}

func canonicalTag(tag string) string { return strings.ToLower(strings.TrimSpace(tag)) }

// Get returns a profile, filling the edge cache from the account database.
func (d Directory) Get(ctx context.Context, playerID string) (Profile, error) {
	key := url.PathEscape(keys.Profile(playerID))
	res, err := d.NS.Client.KV.Namespaces.Values.Get(ctx, d.NS.ID, key, d.getParams())
	if err == nil {
		body, err := cfkv.ReadBody(res)
		if err != nil {
			return Profile{}, err
		}
		var p Profile
		if err := json.Unmarshal(body, &p); err == nil {
			return p, nil
		}
	} else if !cfkv.IsNotFound(err) {
		return Profile{}, err
	}

	p, err := d.Accounts.Profile(ctx, playerID)
	if err != nil {
		return Profile{}, err
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return Profile{}, err
	}
	ttl := max(d.CacheTTL, 10*time.Minute)
	_, err = d.NS.Client.KV.Namespaces.Values.Update(ctx, d.NS.ID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(d.NS.AccountID),
		Value:         cloudflare.F(string(doc)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return p, err
}

// Invalidate drops the cached profile after the account database changed.
func (d Directory) Invalidate(ctx context.Context, playerID string) error {
	_, err := d.NS.Client.KV.Namespaces.Values.Delete(ctx, d.NS.ID, url.PathEscape(keys.Profile(playerID)), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(d.NS.AccountID),
	})
	if cfkv.IsNotFound(err) {
		return nil
	}
	return err
}

// ClaimGamertag reserves tag for playerID.
func (d Directory) ClaimGamertag(ctx context.Context, playerID, tag string) error {
	canon := canonicalTag(tag)
	if len(canon) < 3 || len(canon) > 20 {
		return fmt.Errorf("gamertag must be 3-20 characters: %w", apperr.ErrInvalid)
	}
	key := url.PathEscape(keys.Gamertag(canon))
	res, err := d.NS.Client.KV.Namespaces.Values.Get(ctx, d.NS.ID, key, d.getParams())
	if err == nil {
		owner, rerr := cfkv.ReadBody(res)
		if rerr != nil {
			return rerr
		}
		if string(owner) == playerID {
			return nil
		}
		return ErrGamertagTaken
	}
	if !cfkv.IsNotFound(err) {
		return err
	}
	_, err = d.NS.Client.KV.Namespaces.Values.Update(ctx, d.NS.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(d.NS.AccountID),
		Value:     cloudflare.F(playerID),
	})
	if err != nil {
		return err
	}
	if err := d.Accounts.SetGamertag(ctx, playerID, tag); err != nil {
		return err
	}
	return d.Invalidate(ctx, playerID)
}

// Resolve maps gamertags to player IDs. Unknown tags are left out.
func (d Directory) Resolve(ctx context.Context, tags []string) (map[string]string, error) {
	byKey := make(map[string]string, len(tags))
	for _, t := range tags {
		byKey[keys.Gamertag(canonicalTag(t))] = t
	}
	names := make([]string, 0, len(byKey))
	for k := range byKey {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make(map[string]string, len(tags))
	for batch := range slices.Chunk(names, 100) {
		res, err := d.NS.Client.KV.Namespaces.BulkGet(ctx, d.NS.ID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(d.NS.AccountID),
			Keys:      cloudflare.F(batch),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		for k, v := range values {
			if id, ok := v.(shared.UnionString); ok && id != "" {
				out[byKey[k]] = string(id)
			}
		}
	}
	return out, nil
}
