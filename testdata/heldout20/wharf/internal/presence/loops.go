package presence

import (
	"context"
	"encoding/json"
	"time"

	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Snapshot is the rendered roster the lobby widget polls.
type Snapshot struct {
	Room      string    `json:"room"`
	Visitors  []string  `json:"visitors"`
	Truncated bool      `json:"truncated"`
	At        time.Time `json:"at"`
}

// PublishLive keeps the snapshot of room fresh every second until ctx ends.
// The scheduled task runs it for the busiest lobby during an on-sale.
func (t *Tracker) PublishLive(ctx context.Context, room string) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			visitors, truncated, err := t.Roster(ctx, room)
			if err != nil {
				return err
			}
			b, err := json.Marshal(Snapshot{Room: room, Visitors: visitors, Truncated: truncated, At: t.Clock()})
			if err != nil {
				return err
			}
			if err := t.Store.Put(ctx, keys.LobbySnapshot(room), b, storage.PutOptions{TTL: 2 * time.Minute}); err != nil { // EXPECT kvhotkey
				return err
			}
		}
	}
}
