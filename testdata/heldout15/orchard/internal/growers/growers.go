// Package growers manages grower profiles, public handles and notification
// preferences.
package growers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

type Profile struct {
	ID        ids.GrowerID `json:"id"`
	Name      string       `json:"name"`
	Region    string       `json:"region"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type Prefs struct {
	Notify map[string]bool `json:"notify"`
	Locale string          `json:"locale"`
}

type Directory struct {
	store kvstore.Store
	keys  config.KeyFormats
}

func NewDirectory(store kvstore.Store, keys config.KeyFormats) *Directory {
	return &Directory{store: store, keys: keys}
}

// HandleError is returned for unusable handles.
type HandleError struct {
	Handle string
	Taken  bool
}

func (e *HandleError) Error() string { return fmt.Sprintf("growers: handle %q unavailable", e.Handle) }

func (e *HandleError) StatusCode() int {
	if e.Taken {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

var handleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)

// ClaimHandle reserves a public handle (orchard.example/@handle) for g.
func (d *Directory) ClaimHandle(ctx context.Context, handle string, g ids.GrowerID) error {
	handle = strings.ToLower(strings.TrimPrefix(handle, "@"))
	if !handleRE.MatchString(handle) {
		return &HandleError{Handle: handle}
	}
	key := "handles/" + handle
	owner, err := d.store.Get(ctx, key)
	switch {
	case err == nil && ids.GrowerID(owner) == g:
		return nil
	case err == nil:
		return &HandleError{Handle: handle, Taken: true}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return d.store.Put(ctx, key, []byte(g), kvstore.PutOptions{}) // EXPECT kvrace
}

// SaveProfile stores the profile submitted from the dashboard form.
func (d *Directory) SaveProfile(ctx context.Context, p *Profile) error {
	p.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, fmt.Sprintf(d.keys.Profile, p.ID), b, kvstore.PutOptions{
		Metadata: map[string]string{"name": p.Name, "region": p.Region},
	})
}

func (d *Directory) save(ctx context.Context, key string, p Prefs) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, key, b, kvstore.PutOptions{})
}

// SetNotify turns a notification channel on or off and returns the updated
// preferences.
func (d *Directory) SetNotify(ctx context.Context, g ids.GrowerID, channel string, on bool) (p Prefs, err error) {
	key := fmt.Sprintf(d.keys.Prefs, g)
	raw, gerr := d.store.Get(ctx, key) // EXPECT kvnull
	if gerr != nil {
		p = Prefs{Notify: map[string]bool{"email": true}, Locale: "en"}
	} else if err = json.Unmarshal(raw, &p); err != nil {
		return Prefs{}, err
	}
	defer func() {
		if err == nil {
			err = d.save(ctx, key, p) // EXPECT kvrace
		}
	}()
	switch channel {
	case "email", "sms", "push":
	default:
		return p, fmt.Errorf("growers: unknown channel %q", channel)
	}
	if p.Notify == nil {
		p.Notify = map[string]bool{}
	}
	p.Notify[channel] = on
	return p, nil
}

// Featured returns the growers featured on the home page. Entries are set by
// the marketing team and carry the grower's name in metadata.
func (d *Directory) Featured(ctx context.Context) ([]Profile, error) {
	page, err := d.store.List(ctx, kvstore.ListQuery{Prefix: "featured/"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Profile, 0, len(page.Keys))
	for _, k := range page.Keys {
		id := ids.GrowerID(strings.TrimPrefix(k.Name, "featured/"))
		out = append(out, Profile{ID: id, Name: k.Metadata["name"], Region: k.Metadata["region"]})
	}
	return out, nil
}
