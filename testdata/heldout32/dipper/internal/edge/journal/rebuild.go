//go:build js && wasm

package journal

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
)

const maxReplayPages = 20

// Rebuild recomputes a lobby's scoreboard from its journal. Support uses it
// when a player disputes their points.
func Rebuild(lobby string) (*Scoreboard, error) {
	board := &Scoreboard{Lobby: lobby}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: EventPrefix(lobby), Limit: 1000}
	for range maxReplayPages {
		res, err := store.Lobbies().List(opts)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, ok, err := store.Get(store.Lobbies(), k.Name) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			var ev events.Event
			if err := json.Unmarshal([]byte(raw), &ev); err != nil || ev.Type != events.AnswerScored {
				continue
			}
			if err := board.apply(ev); err != nil {
				return nil, err
			}
			if err := store.Save(store.Lobbies(), board, readModelTTL); err != nil { // EXPECT kvhotkey
				return nil, err
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return board, nil
}
