package quiz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tieke/internal/ecs"
	"tieke/internal/kvstore"
)

type checkpoint struct {
	Shard      string                    `json:"shard"`
	World      ecs.Snapshot              `json:"world"`
	Rooms      map[ecs.Entity]Room       `json:"rooms"`
	Players    map[ecs.Entity]Player     `json:"players"`
	Scores     map[ecs.Entity]Score      `json:"scores"`
	Streaks    map[ecs.Entity]Streak     `json:"streaks"`
	Rounds     map[ecs.Entity]Round      `json:"rounds"`
	Spectators map[ecs.Entity]Spectators `json:"spectators"`
}

func dump[T any](t *Table[T]) map[ecs.Entity]T {
	out := make(map[ecs.Entity]T, len(t.ents))
	for i, e := range t.ents {
		out[e] = t.dense[i]
	}
	return out
}

func load[T any](t *Table[T], m map[ecs.Entity]T) {
	for e, v := range m {
		t.Set(e, v)
	}
}

func checkpointKey(shard string) string { return "checkpoint:" + shard + ":latest" }

// SaveCheckpoint writes the whole shard state under the shard's checkpoint key.
func (g *Game) SaveCheckpoint(ctx context.Context) error {
	cp := checkpoint{
		Shard: g.Shard, World: g.World.Snapshot(),
		Rooms: dump(g.Rooms), Players: dump(g.Players), Scores: dump(g.Scores),
		Streaks: dump(g.Streaks), Rounds: dump(g.Rounds), Spectators: dump(g.Spectators),
	}
	body, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	meta := map[string]any{"tick": cp.World.Tick, "rooms": len(cp.Rooms), "at": cp.World.At.Unix()}
	return g.KV.PutWithMeta(ctx, checkpointKey(g.Shard), body, meta, g.Config.CheckpointTTL)
}

// Restore loads the shard's last checkpoint. A shard without one starts
// empty.
func (g *Game) Restore(ctx context.Context) error {
	raw, err := g.KV.Get(ctx, checkpointKey(g.Shard))
	if errors.Is(err, kvstore.ErrNotFound) {
		g.Log.Info("no checkpoint, starting empty", "shard", g.Shard)
		return nil
	}
	if err != nil {
		return err
	}
	return g.apply(raw)
}

func (g *Game) apply(raw []byte) error {
	var cp checkpoint
	if err := json.Unmarshal(raw, &cp); err != nil {
		return fmt.Errorf("decode checkpoint: %w", err)
	}
	g.World.Restore(cp.World)
	load(g.Rooms, cp.Rooms)
	load(g.Players, cp.Players)
	load(g.Scores, cp.Scores)
	load(g.Streaks, cp.Streaks)
	load(g.Rounds, cp.Rounds)
	load(g.Spectators, cp.Spectators)
	for e, r := range cp.Rooms {
		g.bySlug[r.Slug] = e
	}
	return nil
}

// AdoptOrphans takes over checkpoints of shards that stopped writing. A shard
// counts as orphaned when its checkpoint metadata is older than staleAfter.
func (g *Game) AdoptOrphans(ctx context.Context, staleAfter time.Duration) (int, error) {
	keys, _, err := g.KV.ListPage(ctx, "checkpoint:", "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	adopted := 0
	for _, k := range keys {
		shard := strings.TrimSuffix(strings.TrimPrefix(k.Name, "checkpoint:"), ":latest")
		if shard == g.Shard {
			continue
		}
		meta, _ := k.Metadata.(map[string]any)
		at, _ := meta["at"].(float64)
		if time.Since(time.Unix(int64(at), 0)) < staleAfter {
			continue
		}
		raw, err := g.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		if err := g.apply(raw); err != nil {
			g.Log.Warn("adopt", "shard", shard, "err", err)
			continue
		}
		adopted++
	}
	return adopted, nil
}

// archiveDays is how long finished seasons stay browsable.
const archiveDays = 90

// ArchiveSeason copies a season's board into a long-lived archive key.
func (g *Game) ArchiveSeason(ctx context.Context, season string) error {
	raw, err := g.KV.Get(ctx, "season:"+season+":board")
	if err != nil {
		return err
	}
	meta := map[string]any{"season": season, "archived": time.Now().Unix()}
	return g.KV.PutWithMeta(ctx, "season-archive:"+season, raw, meta, time.Duration(archiveDays*24*3600)) // EXPECT kvttl
}
