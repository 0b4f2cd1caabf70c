// Package prefs stores per-player settings records. Each record type
// declares where it lives with a `kv` struct tag on a blank field,
//
//	_ struct{} `kv:"prefix=prefs/,ttl=720h"`
//
// and marks its owner field with `kv:"id"`.
package prefs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"time"

	"example.com/foundry/internal/kvstore"
)

// Settings are general client preferences.
type Settings struct {
	_         struct{} `kv:"prefix=prefs/,ttl=720h"`
	PlayerID  string   `json:"-" kv:"id"`
	Locale    string   `json:"locale"`
	Volume    int      `json:"volume"`
	Subtitles bool     `json:"subtitles"`
}

// Privacy controls what other players can see.
type Privacy struct {
	_           struct{} `kv:"prefix=privacy/,ttl=2160h"`
	PlayerID    string   `json:"-" kv:"id"`
	ShowOnline  bool     `json:"show_online"`
	HideHistory bool     `json:"hide_history"`
}

// DraftLoadout is the loadout being edited in the armoury; it is thrown away
// if the player walks off.
type DraftLoadout struct {
	_        struct{}          `kv:"prefix=draft-loadout/,ttl=30s"`
	PlayerID string            `json:"-" kv:"id"`
	Slots    map[string]string `json:"slots"`
}

type spec struct {
	prefix string
	ttl    time.Duration
	idx    int // index of the id field
}

var specs sync.Map // reflect.Type -> spec

// locate derives the key and TTL of rec, a pointer to a record struct.
func locate(rec any) (string, time.Duration, error) {
	v := reflect.ValueOf(rec)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", 0, errors.New("prefs: record must be a pointer to struct")
	}
	t := v.Elem().Type()
	cached, ok := specs.Load(t)
	if !ok {
		s := spec{idx: -1}
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("kv")
			if tag == "id" {
				s.idx = i
				continue
			}
			for part := range strings.SplitSeq(tag, ",") {
				switch k, val, _ := strings.Cut(part, "="); k {
				case "prefix":
					s.prefix = val
				case "ttl":
					d, err := time.ParseDuration(val)
					if err != nil {
						return "", 0, fmt.Errorf("prefs: %s: bad ttl %q", t, val)
					}
					s.ttl = d
				}
			}
		}
		if s.prefix == "" || s.idx < 0 {
			return "", 0, fmt.Errorf("prefs: %s has no kv prefix or id field", t)
		}
		cached, _ = specs.LoadOrStore(t, s)
	}
	s := cached.(spec)
	id := v.Elem().Field(s.idx).String()
	if id == "" {
		return "", 0, errors.New("prefs: record has no player id")
	}
	// Records must outlive the KV minimum expiry.
	return s.prefix + id, max(s.ttl, time.Minute), nil
}

// Repo stores settings records.
type Repo struct{ store kvstore.Store }

// NewRepo returns a Repo.
func NewRepo(store kvstore.Store) Repo { return Repo{store: store} }

// Save replaces the stored record with rec.
func (r Repo) Save(ctx context.Context, rec any) error {
	key, ttl, err := locate(rec)
	if err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, key, b, kvstore.WithTTL(ttl))
}

// Load fills rec from storage. rec's id field must be set.
func (r Repo) Load(ctx context.Context, rec any) error {
	key, _, err := locate(rec)
	if err != nil {
		return err
	}
	raw, _ := r.store.Get(ctx, key) // EXPECT kvnull
	return json.Unmarshal(raw, rec)
}

// Merge applies a partial JSON document onto the stored record.
func (r Repo) Merge(ctx context.Context, rec any, changes map[string]any) error {
	key, ttl, err := locate(rec)
	if err != nil {
		return err
	}
	cur := map[string]any{}
	raw, err := r.store.Get(ctx, key)
	if err == nil {
		err = json.Unmarshal(raw, &cur)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	maps.Copy(cur, changes)
	b, _ := json.Marshal(cur)
	if err := r.store.Put(ctx, key, b, kvstore.WithTTL(ttl)); err != nil { // EXPECT kvrace
		return err
	}
	return json.Unmarshal(b, rec)
}
