package kiosk

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"

	"example.com/wicket/internal/kvport"
	"example.com/wicket/internal/kvstore"
)

var ErrNameTaken = errors.New("kiosk: display name already in use")

// Registry keeps kiosk registrations.
type Registry struct {
	kv    kvport.Store
	infos kvstore.Store[ID, Info]
	names kvstore.Store[string, ID]
}

func NewRegistry(kv kvport.Store) *Registry {
	return &Registry{
		kv:    kv,
		infos: kvstore.New[ID, Info](kv, "kiosk-info:"),
		names: kvstore.New[string, ID](kv, "kiosk-name:"),
	}
}

// Register records a new kiosk under a unique display name.
func (r *Registry) Register(ctx context.Context, info Info) error {
	name := strings.ToLower(strings.TrimSpace(info.Name))
	if _, taken, err := r.names.Get(ctx, name); err != nil {
		return err
	} else if taken {
		return ErrNameTaken
	}
	if err := r.names.Put(ctx, name, info.ID); err != nil { // EXPECT kvrace
		return err
	}
	info.Registered = time.Now().UTC()
	return r.infos.Put(ctx, info.ID, info)
}

// Lookup returns one kiosk's registration.
func (r *Registry) Lookup(ctx context.Context, id ID) (Info, bool, error) {
	return r.infos.Get(ctx, id)
}

// AllIDs returns every registered kiosk, sorted.
func (r *Registry) AllIDs(ctx context.Context) ([]ID, error) {
	var ids []ID
	for id, err := range r.infos.Keys(ctx) { // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// BranchIDs returns the kiosks of one branch, reading at most maxPages
// pages of registrations.
func (r *Registry) BranchIDs(ctx context.Context, branch string, maxPages int) (ids []ID, truncated bool, err error) {
	next, stop := iter.Pull2(r.infos.Pages(ctx, 200))
	defer stop()
	for range maxPages {
		page, err, ok := next()
		if !ok {
			return ids, false, nil
		}
		if err != nil {
			return ids, false, err
		}
		for _, k := range page.Keys {
			id := ID(strings.TrimPrefix(k.Name, "kiosk-info:"))
			if id.Branch() == branch {
				ids = append(ids, id)
			}
		}
		if page.Complete {
			return ids, false, nil
		}
	}
	return ids, true, nil
}
