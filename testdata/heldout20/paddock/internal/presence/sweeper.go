package presence

import (
	"context"

	"example.com/paddock/internal/store"
)

// Sweeper removes presence entries of lobbies that have been disbanded, so
// they stop showing up before their TTL runs out.
type Sweeper struct {
	Store    store.Store
	PageSize int
	MaxPages int
}

// SweepLobby deletes every presence entry under lobby and returns how many
// were removed.
func (s Sweeper) SweepLobby(ctx context.Context, lobby string) (int, error) {
	removed := 0
	q := store.ListQuery{Prefix: lobbyPrefix(lobby), Limit: max(s.PageSize, 100)}
	for pages := 0; pages < max(s.MaxPages, 1); pages++ {
		page, err := s.Store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			if err := s.Store.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if page.Done() {
			break
		}
		q = store.ListQuery{Cursor: page.Cursor, Limit: q.Limit}
	}
	return removed, nil
}
