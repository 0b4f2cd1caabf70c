//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const maxSweepPages = 10

// Scheduled runs on the Worker's cron trigger (every five minutes).
func (e *Edge) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	beat, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime.Unix()})
	if err := e.Metrics.PutString("edge:heartbeat", string(beat), &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
		return err
	}
	if err := e.publishHot(ctx, ev.ScheduledTime); err != nil {
		return err
	}
	return e.sweepPages(ev.ScheduledTime)
}

// publishHot copies the top questions of the last hour from D1 into KV.
func (e *Edge) publishHot(ctx context.Context, now time.Time) error {
	rows, err := e.DB.QueryContext(ctx, `SELECT id, title, answer_count, score FROM questions ORDER BY hot_score DESC LIMIT 30`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var list []QuestionMeta
	for rows.Next() {
		var m QuestionMeta
		if err := rows.Scan(&m.ID, &m.Title, &m.Answers, &m.Score); err != nil {
			return err
		}
		list = append(list, m)
		raw, _ := json.Marshal(m)
		if err := e.Pages.PutString(fmt.Sprintf("meta:q:%d", m.ID), string(raw), &kv.PutOptions{ExpirationTTL: 900}); err != nil {
			return err
		}
	}
	raw, _ := json.Marshal(list)
	return e.Pages.PutString("hot:"+now.UTC().Format("2006010215"), string(raw), &kv.PutOptions{
		Expiration: int(now.Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
}

// sweepPages drops cached pages whose question was edited since they were
// rendered, reading at most maxSweepPages pages of keys per run.
func (e *Edge) sweepPages(now time.Time) error {
	opts := &kv.ListOptions{Prefix: "page:q:", Limit: 1000}
	for range maxSweepPages {
		res, err := e.Pages.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id, err := strconv.ParseUint(k.Name[len("page:q:"):], 10, 64)
			if err != nil {
				continue
			}
			edited, err := e.Metrics.GetString(fmt.Sprintf("edited:q:%d", id), nil) // EXPECT kvlist
			if err != nil || edited == kvMissing {
				continue
			}
			if ts, _ := strconv.ParseInt(edited, 10, 64); ts > int64(k.Expiration)-pageTTL {
				_ = e.Pages.Delete(k.Name)
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return nil
}
