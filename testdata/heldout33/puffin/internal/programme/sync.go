// Package programme copies the programme from the CFP system and the
// registrations from the ticketing system into KV, where the Worker and the
// dashboards read them.
package programme

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

// syncState records how far the last programme sync got, for the
// dashboard's "last synced" line and for resuming after a failure.
type syncState struct {
	Event    string    `json:"event"`
	LastTalk string    `json:"last_talk"`
	Talks    int       `json:"talks"`
	At       time.Time `json:"at"`
}

func (s syncState) Key() string        { return keys.Root.Child("sync", "programme").String() }
func (s syncState) TTL() time.Duration { return 0 }

// Sync stores the talks of an event.
func Sync(ctx context.Context, store *kvx.Store, event string, talks []domain.Talk) error {
	for i, t := range talks {
		if t.Event != event {
			return fmt.Errorf("talk %s belongs to %s, not %s", t.ID, t.Event, event)
		}
		if err := kvx.Save(ctx, store, t); err != nil {
			return fmt.Errorf("talk %s: %w", t.ID, err)
		}
		st := syncState{Event: event, LastTalk: t.ID, Talks: i + 1, At: time.Now().UTC()}
		if err := kvx.Save(ctx, store, st); err != nil { // EXPECT kvhotkey
			log.Printf("programme: sync state: %v", err)
		}
	}
	return nil
}

// SyncRooms stores the room plan of an event and records the sync once.
func SyncRooms(ctx context.Context, store *kvx.Store, event string, rooms map[string]int) error {
	pairs := make([]kvx.Pair, 0, len(rooms))
	for room, seats := range rooms {
		k := keys.Event(event).Child("room", room).String()
		pairs = append(pairs, kvx.TextPair(k, strconv.Itoa(seats), 0))
	}
	if err := store.BulkPutAll(ctx, pairs); err != nil {
		return err
	}
	return kvx.Save(ctx, store, syncState{Event: event, At: time.Now().UTC()})
}

// InitSeats sets the seats-left figure of every talk when the programme is
// published. Reservations change it afterwards.
func InitSeats(ctx context.Context, store *kvx.Store, talks []domain.Talk) error {
	pairs := make([]kvx.Pair, 0, len(talks))
	for _, t := range talks {
		tk := keys.TalkKey{Event: t.Event, Talk: t.ID}
		pairs = append(pairs, kvx.TextPair(tk.Seats().String(), strconv.Itoa(t.Capacity), 0))
	}
	return store.BulkPutAll(ctx, pairs)
}

// PutFunc has the shape of (*kvx.Store).Put, so the import can run against
// the store or a dry-run printer.
type PutFunc func(*kvx.Store, context.Context, string, []byte, time.Duration) error

// importCursor lets an interrupted import resume at the last stored row.
var importCursor = keys.Root.Child("import", "cursor").String()

// Import copies attendee rows from the ticketing export into KV and returns
// the number of rows stored.
func Import(ctx context.Context, store *kvx.Store, rows []domain.Attendee, put PutFunc) (int, error) {
	stored := 0
	for i, a := range rows {
		raw, err := json.Marshal(a)
		if err != nil {
			return stored, err
		}
		if err := put(store, ctx, a.Key(), raw, a.TTL()); err != nil {
			return stored, fmt.Errorf("row %d (%s): %w", i, a.ID, err)
		}
		stored++
		if err := put(store, ctx, importCursor, []byte(strconv.Itoa(i)), 0); err != nil { // EXPECT kvhotkey
			return stored, err
		}
	}
	return stored, nil
}

// DryRun is a PutFunc that prints instead of writing.
func DryRun(_ *kvx.Store, _ context.Context, key string, value []byte, ttl time.Duration) error {
	log.Printf("dry-run: put %s (%d bytes, ttl %s)", key, len(value), ttl)
	return nil
}

// ResumeFrom returns the row after the last one a previous import stored.
func ResumeFrom(ctx context.Context, store *kvx.Store) (int, error) {
	raw, err := store.Get(ctx, importCursor)
	if kvx.IsNotFound(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	i, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("import cursor: %w", err)
	}
	return i + 1, nil
}
