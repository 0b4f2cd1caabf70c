// Package registry holds the mirror's package-level state in KV: ownership,
// yanked versions, dist-tags and the cached upstream metadata.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// PackageName is a normalised package name.
type PackageName string

// ErrTaken is returned when a package name is already claimed.
var ErrTaken = errors.New("registry: package name already claimed")

// Registry is the package state service.
type Registry struct {
	kv     *kvstore.Client
	ns     kvstore.Namespaces
	yanked kvstore.Store[PackageName, []string]
	tags   kvstore.Store[PackageName, map[string]string]
}

// New returns a Registry.
func New(kv *kvstore.Client, ns kvstore.Namespaces) *Registry {
	return &Registry{
		kv:     kv,
		ns:     ns,
		yanked: kvstore.NewJSONStore[PackageName, []string](kv, ns.Index, "yank:"),
		tags:   kvstore.NewJSONStore[PackageName, map[string]string](kv, ns.Index, "tags:"),
	}
}

// Owners is the ownership record of a package.
type Owners struct {
	Package PackageName `json:"package"`
	Users   []string    `json:"users"`
	Claimed time.Time   `json:"claimed"`
}

// OwnersKey is the typed key of a package's ownership record.
func (r *Registry) OwnersKey(name PackageName) kvstore.Key[Owners] {
	return kvstore.NewKey[Owners](r.kv, r.ns.Index, "owners:"+string(name))
}

// Claim registers a new package name for user on first publish.
func (r *Registry) Claim(ctx context.Context, name PackageName, user string) error {
	k := r.OwnersKey(name)
	if _, err := k.Load(ctx); err == nil {
		return ErrTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return k.Store(ctx, Owners{Package: name, Users: []string{user}, Claimed: time.Now().UTC()}, 0) // EXPECT kvrace
}

// AddOwner grants user publish rights on name.
func (r *Registry) AddOwner(ctx context.Context, name PackageName, user string) error {
	k := r.OwnersKey(name)
	o, err := k.Load(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(o.Users, user) {
		return nil
	}
	o.Users = append(o.Users, user)
	return k.Store(ctx, o, 0) // EXPECT kvrace
}

// IsOwner reports whether user may publish name.
func (r *Registry) IsOwner(ctx context.Context, name PackageName, user string) (bool, error) {
	o, err := r.OwnersKey(name).Load(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.Contains(o.Users, user), nil
}

// Yank marks version of name as yanked.
func (r *Registry) Yank(ctx context.Context, name PackageName, version string) error {
	cur, err := r.yanked.Get(ctx, name)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if slices.Contains(cur, version) {
		return nil
	}
	return r.yanked.Put(ctx, name, append(cur, version), 0) // EXPECT kvrace
}

// Yanked returns the yanked versions of name.
func (r *Registry) Yanked(ctx context.Context, name PackageName) ([]string, error) {
	cur, err := r.yanked.Get(ctx, name)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return cur, err
}

// ReplaceYanked overwrites the yanked list with the authoritative list from
// upstream. Used by the mirror sync.
func (r *Registry) ReplaceYanked(ctx context.Context, name PackageName, versions []string) error {
	slices.Sort(versions)
	return r.yanked.Put(ctx, name, slices.Compact(versions), 0)
}

// SetTag points dist-tag tag of name at version.
func (r *Registry) SetTag(ctx context.Context, name PackageName, tag, version string) error {
	load, save := r.kv.Slot(ctx, r.ns.Index, "tags:"+string(name))
	raw, found, err := load()
	if err != nil {
		return err
	}
	tags := map[string]string{}
	if found {
		if err := json.Unmarshal(raw, &tags); err != nil {
			return fmt.Errorf("tags of %s: %w", name, err)
		}
	}
	tags[tag] = version
	body, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	return save(body, 0) // EXPECT kvrace
}

// Tags returns the dist-tags of name.
func (r *Registry) Tags(ctx context.Context, name PackageName) (map[string]string, error) {
	tags, err := r.tags.Get(ctx, name)
	if errors.Is(err, kvstore.ErrNotFound) {
		return map[string]string{}, nil
	}
	return tags, err
}

// AuditLog appends an entry to the package's audit trail.
func (r *Registry) AuditLog(ctx context.Context, name PackageName, entry string) error {
	line := time.Now().UTC().Format(time.RFC3339) + " " + entry
	return r.kv.AppendLine(ctx, r.ns.Index, "audit:"+string(name), line)
}
