package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
)

// negativeTTL is how long we remember that an address is unknown upstream.
const negativeTTL = 30 * time.Second

// pendingRow is the repository's view of an opt-in awaiting confirmation.
type pendingRow struct {
	Token   string
	List    string
	Address string
	Origin  string
	Created time.Time
}

// prefsRow identifies one preference record.
type prefsRow struct {
	List    string
	Address string
}

func (p prefsRow) key() string { return newsletter.KindPrefs.Key(p.List + ":" + p.Address) }

// Repository maps subscriber records onto the key/value store.
type Repository struct {
	store  newsletter.Store
	source Source
}

// Source is the system of record (Postgres) for preferences.
type Source interface {
	LoadPreferences(ctx context.Context, listID, email string) (*newsletter.Preferences, error)
}

// ErrUnknown is returned by Source when the address was never subscribed.
var ErrUnknown = errors.New("subscribers: unknown address")

func (r *Repository) savePending(ctx context.Context, row pendingRow) error {
	rec := newsletter.PendingOptIn{ListID: row.List, Email: row.Address, Source: row.Origin, CreatedAt: row.Created}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, newsletter.KindOptIn.Key(row.Token), b, newsletter.KindOptIn.Options())
}

// consumePending loads an opt-in and removes it so the link works once.
func (r *Repository) consumePending(ctx context.Context, token string) (*newsletter.PendingOptIn, error) {
	key := newsletter.KindOptIn.Key(token)
	raw, err := r.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var rec newsletter.PendingOptIn
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decode opt-in: %w", err)
	}
	if err := r.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &rec, nil
}

func (r *Repository) writePrefs(ctx context.Context, row prefsRow, p *newsletter.Preferences) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, row.key(), b, newsletter.PutOptions{})
}

// loadPrefs is a read-through cache over the Source. Unknown addresses are
// remembered with a tombstone so a burst of lookups does not reach Postgres.
func (r *Repository) loadPrefs(ctx context.Context, row prefsRow) (*newsletter.Preferences, error) {
	key := row.key()
	raw, err := r.store.Get(ctx, key)
	switch {
	case err == nil:
		var p newsletter.Preferences
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		if p.Tombstone {
			return nil, ErrUnknown
		}
		return &p, nil
	case !errors.Is(err, newsletter.ErrNotFound):
		return nil, err
	}
	p, err := r.source.LoadPreferences(ctx, row.List, row.Address)
	if errors.Is(err, ErrUnknown) {
		tomb, _ := json.Marshal(newsletter.Preferences{ListID: row.List, Email: row.Address, Tombstone: true})
		if err := r.store.Put(ctx, key, tomb, newsletter.PutOptions{TTL: opt.Ptr(negativeTTL)}); err != nil { // EXPECT kvttl
			return nil, err
		}
		return nil, ErrUnknown
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := r.store.Put(ctx, key, b, newsletter.KindPrefs.Options()); err != nil {
		return nil, err
	}
	return p, nil
}

// update applies fn to the stored preferences and writes them back.
func (r *Repository) update(ctx context.Context, row prefsRow, fn func(*newsletter.Preferences) error) error {
	key := row.key()
	raw, err := r.store.Get(ctx, key)
	if err != nil {
		return err
	}
	var p newsletter.Preferences
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	if err := fn(&p); err != nil {
		return err
	}
	p.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(&p)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, key, b, newsletter.PutOptions{}) // EXPECT kvrace
}

func (r *Repository) saveMagicLink(ctx context.Context, code string, row prefsRow) error {
	b, _ := json.Marshal(map[string]string{"list_id": row.List, "email": row.Address})
	return r.store.Put(ctx, newsletter.KindMagicLink.Key(code), b, newsletter.KindMagicLink.Options())
}

func (r *Repository) lookupMagicLink(ctx context.Context, code string) (prefsRow, error) {
	raw, err := r.store.Get(ctx, newsletter.KindMagicLink.Key(code))
	if err != nil {
		return prefsRow{}, err
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return prefsRow{}, err
	}
	return prefsRow{List: m["list_id"], Address: m["email"]}, nil
}
