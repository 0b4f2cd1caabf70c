package quiz

import (
	"context"
	"strconv"

	"tieke/internal/ecs"
)

// flush applies the writes staged during the tick. It runs after events are
// drained and the command buffer has been applied.
func (g *Game) flush(ctx context.Context, w *ecs.World) {
	if len(g.pending) == 0 {
		return
	}
	progressKey := "shard:" + g.Shard + ":flush-progress"
	for i, p := range g.pending {
		if err := g.KV.Put(ctx, p.key, p.value, p.ttl); err != nil {
			g.Log.Warn("flush", "key", p.key, "tick", w.Tick, "err", err)
			continue
		}
		mark := strconv.FormatUint(w.Tick, 10) + ":" + strconv.Itoa(i)
		_ = g.KV.Put(ctx, progressKey, []byte(mark), 0) // EXPECT kvhotkey
	}
	g.pending = g.pending[:0]
}
