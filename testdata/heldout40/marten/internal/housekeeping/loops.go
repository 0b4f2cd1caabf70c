package housekeeping

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"marten/internal/kvstore"
)

const displayRefresh = 500 * time.Millisecond

// RunLobbyDisplay keeps the ready-room list on the lobby screen current.
func (b *Board) RunLobbyDisplay(ctx context.Context) {
	tick := time.NewTicker(displayRefresh)
	defer tick.Stop()
	key := "hk/display/" + b.property
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			ready, err := b.readyRooms(ctx)
			if err != nil {
				continue
			}
			out, _ := json.Marshal(ready)
			if err := b.kv.Put(ctx, key, out); err != nil { // EXPECT kvhotkey
				log.Printf("housekeeping: display: %v", err)
			}
		}
	}
}

func (b *Board) readyRooms(ctx context.Context) ([]string, error) {
	var ready []string
	for f := 1; f <= b.Floors(ctx); f++ {
		board, err := b.loadFloor(ctx, fmt.Sprint(f))
		if err != nil {
			return nil, err
		}
		for room, c := range board {
			if c.Status == "inspected" {
				ready = append(ready, room)
			}
		}
	}
	return ready, nil
}

// RunSnapshots writes a copy of every floor board every five minutes, for
// the daily housekeeping report.
func (b *Board) RunSnapshots(ctx context.Context) {
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			floors := b.Floors(ctx)
			snap := make(map[string]map[string]RoomStatus, floors)
			for f := 1; f <= floors; f++ {
				board, err := b.loadFloor(ctx, fmt.Sprint(f))
				if err != nil {
					log.Printf("housekeeping: snapshot floor %d: %v", f, err)
					continue
				}
				snap[fmt.Sprint(f)] = board
			}
			enc := kvstore.Must(kvstore.GobBytes(snap))
			stampKey := fmt.Sprintf("hk/snapshot/%s/%s", b.property, now.Format("2006-01-02T15:04"))
			if err := b.kv.PutTTL(ctx, stampKey, enc, 3*24*time.Hour); err != nil {
				log.Printf("housekeeping: snapshot: %v", err)
			}
			if err := b.kv.Put(ctx, "hk/snapshot/"+b.property+"/latest", enc); err != nil {
				log.Printf("housekeeping: latest snapshot: %v", err)
			}
		}
	}
}

// ResetFloor starts the day: every occupied room of the floor becomes a
// stay-over to clean, every vacated room a departure.
func (b *Board) ResetFloor(ctx context.Context, floor string, occupied, departures []string) error {
	board := make(map[string]RoomStatus, len(occupied)+len(departures))
	now := time.Now()
	key := b.floorKey(floor)
	for _, room := range occupied {
		board[room] = RoomStatus{Status: "stayover", Since: now}
		if err := b.kv.Put(ctx, key, kvstore.Must(kvstore.GobBytes(board))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for _, room := range departures {
		board[room] = RoomStatus{Status: "departure", Since: now}
	}
	return b.kv.Put(ctx, key, kvstore.Must(kvstore.GobBytes(board)))
}

// ClearAssignments removes the attendant assignments at the end of the shift.
func (b *Board) ClearAssignments(ctx context.Context) error {
	api, rc := b.kv.API()
	prefix := "hk/assign/" + b.property + "/"
	var keys []string
	cursor := ""
	for page := 0; page < 50; page++ {
		params := cloudflare.ListWorkersKVsParams{NamespaceID: b.kv.Namespace(), Limit: 1000}
		if cursor == "" {
			params.Prefix = prefix
		} else {
			params.Cursor = cursor
		}
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	b2 := b.kv.Begin()
	for _, k := range keys {
		b2.Delete(k)
	}
	return b2.Commit(ctx)
}

// StaleInspections returns the rooms whose last inspection is older than
// age, looking for at most budget of the request's deadline.
func (b *Board) StaleInspections(ctx context.Context, age, budget time.Duration) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	prefix := "hk/inspection/" + b.property + "/"
	cutoff := time.Now().Add(-age).Unix()
	var stale []string
	cursor := ""
scan:
	for {
		select {
		case <-ctx.Done():
			break scan
		default:
		}
		keys, next, err := b.kv.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return stale, err
		}
		for _, k := range keys {
			// Inspection records live 48 h, so the expiry tells their age.
			if int64(k.Expiration)-int64((48*time.Hour).Seconds()) < cutoff {
				stale = append(stale, k.Name[len(prefix):])
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return stale, nil
}
