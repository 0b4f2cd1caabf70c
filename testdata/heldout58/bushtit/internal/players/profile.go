package players

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/samber/lo"

	"github.com/arcadia-games/bushtit/internal/kvstore"
	"github.com/arcadia-games/bushtit/internal/upstream"
)

// Profile is the public part of a player account.
type Profile struct {
	ID          PlayerID  `json:"id"`
	DisplayName string    `json:"display_name"`
	Avatar      string    `json:"avatar"`
	Region      string    `json:"region"`
	Public      bool      `json:"public"`
	Titles      []string  `json:"titles"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Card is the small profile summary shown in lobby lists.
type Card struct {
	Name   string `json:"name"`
	Avatar string `json:"avatar"`
	Title  string `json:"title"`
}

// Profiles serves player profiles from KV in front of the account service.
type Profiles struct {
	KV       kvstore.Store
	Accounts *upstream.Client
}

var ErrNameTaken = errors.New("players: display name taken")

// Get returns the profile, filling KV from the account service on a miss.
func (p *Profiles) Get(ctx context.Context, id PlayerID) (*Profile, error) {
	var prof Profile
	key := profileKey(id)
	if ok, err := kvstore.LoadJSON(ctx, p.KV, key, &prof); err != nil || ok {
		return &prof, err
	}
	h, err := p.Accounts.Fetch(ctx, "/v1/profiles/"+string(id), &prof)
	if err != nil {
		return nil, err
	}
	if err := kvstore.CacheJSON(ctx, p.KV, key, prof, upstream.MaxAge(h)); err != nil {
		return nil, err
	}
	return &prof, nil
}

// Titles returns the unlockable titles catalogue.
func (p *Profiles) Titles(ctx context.Context) ([]string, error) {
	var titles []string
	if ok, err := kvstore.LoadJSON(ctx, p.KV, "catalogue:titles", &titles); err != nil || ok {
		return titles, err
	}
	h, err := p.Accounts.Fetch(ctx, "/v1/titles", &titles)
	if err != nil {
		return nil, err
	}
	return titles, kvstore.SaveJSON(ctx, p.KV, "catalogue:titles", titles, upstream.MaxAge(h)) // DEBATABLE kvttl
}

// Region returns the player's home region; the directory says for how long
// the answer holds in its Expires header.
func (p *Profiles) Region(ctx context.Context, id PlayerID) (string, error) {
	key := "region:" + string(id)
	var region string
	if ok, err := kvstore.LoadJSON(ctx, p.KV, key, &region); err != nil || ok {
		return region, err
	}
	h, err := p.Accounts.Fetch(ctx, "/v1/regions/"+string(id), &region)
	if err != nil {
		return "", err
	}
	if until, ok := upstream.ExpiresAt(h); ok {
		return region, kvstore.SaveJSON(ctx, p.KV, key, region, time.Until(until)) // EXPECT kvttl
	}
	return region, kvstore.SaveJSON(ctx, p.KV, key, region, time.Hour)
}

// Entitlements returns the player's store entitlements. The store service's
// Expires header is honoured but never below a minute.
func (p *Profiles) Entitlements(ctx context.Context, id PlayerID) ([]string, error) {
	key := "entitlements:" + string(id)
	var ents []string
	if ok, err := kvstore.LoadJSON(ctx, p.KV, key, &ents); err != nil || ok {
		return ents, err
	}
	h, err := p.Accounts.Fetch(ctx, "/v1/entitlements/"+string(id), &ents)
	if err != nil {
		return nil, err
	}
	ttl := 10 * time.Minute
	if until, ok := upstream.ExpiresAt(h); ok {
		ttl = max(time.Until(until), time.Minute)
	}
	return ents, kvstore.SaveJSON(ctx, p.KV, key, ents, ttl)
}

// PublishCard writes the lobby-list card for a profile.
func (p *Profiles) PublishCard(ctx context.Context, prof *Profile) error {
	card := Card{prof.DisplayName, prof.Avatar, lo.FirstOr(prof.Titles, "")}
	ttl := lo.Ternary(prof.Public, 10*time.Minute, 30*time.Second) // EXPECT kvttl
	return kvstore.SaveJSON(ctx, p.KV, "card:"+string(prof.ID), card, ttl)
}

// Update applies fn to the stored profile.
func (p *Profiles) Update(ctx context.Context, id PlayerID, fn func(*Profile)) error {
	return kvstore.Mutate(ctx, p.KV, profileKey(id), 0, func(old []byte) ([]byte, error) {
		prof := Profile{ID: id}
		if old != nil {
			if err := json.Unmarshal(old, &prof); err != nil {
				return nil, err
			}
		}
		fn(&prof)
		prof.UpdatedAt = time.Now().UTC()
		return json.Marshal(prof)
	})
}

// GrantTitle unlocks a title for the player.
func (p *Profiles) GrantTitle(ctx context.Context, id PlayerID, title string) error {
	return p.Update(ctx, id, func(prof *Profile) {
		prof.Titles = lo.Uniq(append(prof.Titles, title))
	})
}

// Rename changes the display name, which must be unique.
func (p *Profiles) Rename(ctx context.Context, id PlayerID, name string) error {
	nameKey := fmt.Sprintf("name:%s", strings.ToLower(strings.TrimSpace(name)))
	var owner PlayerID
	taken, err := kvstore.LoadJSON(ctx, p.KV, nameKey, &owner)
	if err != nil {
		return err
	}
	if taken && owner != id {
		return ErrNameTaken
	}
	if err := kvstore.SaveJSON(ctx, p.KV, nameKey, id, 0); err != nil { // EXPECT kvrace
		return err
	}
	return p.Update(ctx, id, func(prof *Profile) { prof.DisplayName = name })
}
