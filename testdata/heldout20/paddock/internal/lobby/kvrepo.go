package lobby

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/paddock/internal/codec"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

const (
	browsePageSize = 50
	readyWindow    = 45 * time.Second
)

// KVRepo stores lobbies in the key-value store. Each lobby has a document key
// and, when public, an index key whose metadata carries the browser summary.
type KVRepo struct {
	Store store.Store
	TTL   time.Duration
}

var _ Repo = KVRepo{}

func (r KVRepo) ttl() time.Duration { return cmp.Or(r.TTL, 2*time.Hour) }

func indexPrefix(region string) string { return keys.LobbyIndex(region) + ":" }

// Find implements Repo.
func (r KVRepo) Find(ctx context.Context, code string) (Lobby, error) {
	b, err := r.Store.Get(ctx, keys.Lobby(code))
	if errors.Is(err, store.ErrNotFound) {
		return Lobby{}, ErrLobbyNotFound
	}
	if err != nil {
		return Lobby{}, fmt.Errorf("lobby: find %s: %w", code, err)
	}
	return codec.Open[Lobby](codec.KindLobby, b)
}

// Exists implements Repo.
func (r KVRepo) Exists(ctx context.Context, code string) (bool, error) {
	_, err := r.Store.Get(ctx, keys.Lobby(code))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Save implements Repo.
func (r KVRepo) Save(ctx context.Context, l Lobby) error {
	b, err := codec.Seal(codec.KindLobby, l)
	if err != nil {
		return err
	}
	if err := r.Store.Put(ctx, keys.Lobby(l.Code), b, store.WriteOptions{TTL: r.ttl()}); err != nil {
		return fmt.Errorf("lobby: save %s: %w", l.Code, err)
	}
	if l.Private {
		return nil
	}
	return r.Store.Put(ctx, keys.LobbyIndex(l.Region, l.Code), []byte(l.Code), store.WriteOptions{
		TTL:      r.ttl(),
		Metadata: Summarize(l),
	})
}

func summaries(page store.Page) []Summary {
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		var s Summary
		if len(k.Metadata) == 0 || json.Unmarshal(k.Metadata, &s) != nil {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Page implements Repo.
func (r KVRepo) Page(ctx context.Context, region, cursor string) ([]Summary, string, error) {
	page, err := r.Store.List(ctx, store.ListQuery{
		Prefix: indexPrefix(region),
		Cursor: cursor,
		Limit:  browsePageSize,
	})
	if err != nil {
		return nil, "", err
	}
	return summaries(page), page.Cursor, nil
}

// All implements Repo. It is used by the regional capacity report.
func (r KVRepo) All(ctx context.Context, region string) ([]Summary, error) {
	var (
		out    []Summary
		cursor string
	)
	for {
		page, err := r.Store.List(ctx, store.ListQuery{Prefix: indexPrefix(region), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, summaries(page)...)
		if page.Done() {
			return out, nil
		}
		cursor = page.Cursor
	}
}

// Candidates implements Repo: a handful of lobbies for quick-join.
func (r KVRepo) Candidates(ctx context.Context, region string) ([]Summary, error) {
	page, err := r.Store.List(ctx, store.ListQuery{
		Prefix: indexPrefix(region),
		Limit:  3, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	return summaries(page), nil
}

type readyCheck struct {
	StartedBy string    `json:"started_by"`
	StartedAt time.Time `json:"started_at"`
}

// MarkReadyCheck implements Repo.
func (r KVRepo) MarkReadyCheck(ctx context.Context, code, startedBy string) error {
	return store.PutJSON(ctx, r.Store, keys.Lobby(code, "ready"), readyCheck{
		StartedBy: startedBy,
		StartedAt: time.Now().UTC(),
	}, store.WriteOptions{
		TTL: readyWindow, // EXPECT kvttl
	})
}
