// Package seasonarchive closes out a finished season: it records who took
// part (for the veteran badges), keeps the all-time participation figure and
// clears the season's published board. It predates the move to the v5 API
// client and still uses the original cloudflare-go client.
package seasonarchive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Archiver runs the end-of-season job.
type Archiver struct {
	API       *cloudflare.API
	AccountID string
	// BoardsNS holds the published boards; ArchiveNS the long-lived records.
	BoardsNS  string
	ArchiveNS string
}

// Index lists archived seasons, newest last.
type Index struct {
	Seasons []string  `json:"seasons"`
	Updated time.Time `json:"updated"`
}

// Result reports what one run did.
type Result struct {
	Season       string
	Participants int
	Deleted      int
}

func (a *Archiver) rc() *cloudflare.ResourceContainer {
	return cloudflare.AccountIdentifier(a.AccountID)
}

// Run archives season.
func (a *Archiver) Run(ctx context.Context, season string) (Result, error) {
	res := Result{Season: season}
	entryPrefix := "lb/" + season + "/entry/"

	var entryKeys, players []string
	cursor := ""
	for {
		resp, err := a.API.ListWorkersKVKeys(ctx, a.rc(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: a.BoardsNS,
			Prefix:      entryPrefix,
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return res, fmt.Errorf("seasonarchive: list %s: %w", season, err)
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			entryKeys = append(entryKeys, k.Name)
			players = append(players, strings.TrimPrefix(k.Name, entryPrefix))
		}
		cursor = resp.ResultInfo.Cursor
		_, err = a.API.WriteWorkersKVEntry(ctx, a.rc(), cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: a.ArchiveNS,
			Key:         "archive:checkpoint",
			Value:       []byte(season + "|" + cursor),
		})
		if err != nil {
			log.Printf("seasonarchive: checkpoint: %v", err)
		}
	}
	res.Participants = len(players)

	if err := a.writeVeterans(ctx, season, players); err != nil {
		return res, err
	}
	if err := a.addParticipants(ctx, len(players)); err != nil {
		return res, err
	}
	if err := a.appendIndex(ctx, season); err != nil {
		return res, err
	}
	n, err := a.clearBoard(ctx, entryKeys)
	res.Deleted = n
	return res, err
}

func (a *Archiver) writeVeterans(ctx context.Context, season string, players []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(players))
	for _, p := range players {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "veteran/" + p + "/" + season,
			Value:         "1",
			ExpirationTTL: int(3 * 365 * 24 * time.Hour), // EXPECT kvttl
		})
	}
	for batch := range slices.Chunk(pairs, 25_000) {
		_, err := a.API.WriteWorkersKVEntries(ctx, a.rc(), cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
			NamespaceID: a.ArchiveNS,
			KVs:         batch,
		})
		if err != nil {
			return fmt.Errorf("seasonarchive: veterans: %w", err)
		}
	}
	return nil
}

func (a *Archiver) addParticipants(ctx context.Context, n int) error {
	const key = "stats:participants-all-time"
	var total int
	raw, err := a.API.GetWorkersKV(ctx, a.rc(), cloudflare.GetWorkersKVParams{NamespaceID: a.ArchiveNS, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("seasonarchive: bad total %q: %w", raw, err)
		}
	case errors.As(err, &nf):
	default:
		return err
	}
	_, err = a.API.WriteWorkersKVEntry(ctx, a.rc(), cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: a.ArchiveNS,
		Key:         key,
		Value:       []byte(strconv.Itoa(total + n)),
	})
	return err
}

func (a *Archiver) appendIndex(ctx context.Context, season string) error {
	raw, err := a.API.GetWorkersKV(ctx, a.rc(), cloudflare.GetWorkersKVParams{NamespaceID: a.ArchiveNS, Key: "archive:index"})
	if err != nil {
		return fmt.Errorf("seasonarchive: read index: %w", err)
	}
	var idx Index
	if len(raw) == 0 { // EXPECT kvnull
		idx = Index{}
	} else if err := json.Unmarshal(raw, &idx); err != nil {
		return fmt.Errorf("seasonarchive: corrupt index: %w", err)
	}
	if slices.Contains(idx.Seasons, season) {
		return nil
	}
	idx.Seasons = append(idx.Seasons, season)
	idx.Updated = time.Now().UTC()
	doc, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	_, err = a.API.WriteWorkersKVEntry(ctx, a.rc(), cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: a.ArchiveNS,
		Key:         "archive:index",
		Value:       doc,
	})
	return err
}

func (a *Archiver) clearBoard(ctx context.Context, entryKeys []string) (int, error) {
	deleted := 0
	for batch := range slices.Chunk(entryKeys, 10_000) {
		_, err := a.API.DeleteWorkersKVEntries(ctx, a.rc(), cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: a.BoardsNS,
			Keys:        batch,
		})
		if err != nil {
			return deleted, fmt.Errorf("seasonarchive: clear board: %w", err)
		}
		deleted += len(batch)
	}
	return deleted, nil
}
