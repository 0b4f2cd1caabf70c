//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"
)

type logLine struct {
	Build string `json:"build"`
	Step  string `json:"step"`
	Line  string `json:"line"`
}

type buildEvent struct {
	Build string          `json:"build"`
	Kind  string          `json:"kind"`
	Data  json.RawMessage `json:"data"`
}

type transfer struct {
	Org   string `json:"org"`
	Month string `json:"month"`
	Bytes int64  `json:"bytes"`
}

const (
	tailRetention  = 24 * 60 * 60
	eventRetention = 7 * 24 * 60 * 60
)

// Consume handles the batches of the log-lines, build-events and transfer
// queues.
func (a *App) Consume(batch *queues.MessageBatch) error {
	ctx := context.Background()
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		switch batch.Queue {
		case "log-lines":
			var l logLine
			if json.Unmarshal([]byte(body), &l) != nil {
				break
			}
			key := "logs/" + l.Build + "/" + l.Step + "/tail"
			cur, err := a.logs.GetString(key, nil)
			if err != nil {
				msg.Retry()
				continue
			}
			if cur == "<null>" {
				cur = ""
			}
			if err := a.logs.PutString(key, cur+l.Line+"\n", &cloudflare.KVNamespacePutOptions{ExpirationTTL: tailRetention}); err != nil { // EXPECT kvrace
				msg.Retry()
				continue
			}
		case "build-events":
			var ev buildEvent
			if json.Unmarshal([]byte(body), &ev) != nil {
				break
			}
			key := "builds/" + ev.Build + "/events/" + msg.ID
			if err := a.logs.PutString(key, body, &cloudflare.KVNamespacePutOptions{ExpirationTTL: eventRetention}); err != nil {
				msg.Retry()
				continue
			}
		case "transfer":
			var t transfer
			if json.Unmarshal([]byte(body), &t) != nil {
				break
			}
			if _, err := a.db.ExecContext(ctx,
				`INSERT INTO transfer (org, month, bytes) VALUES (?, ?, ?)
				 ON CONFLICT (org, month) DO UPDATE SET bytes = bytes + excluded.bytes`, t.Org, t.Month, t.Bytes); err != nil {
				msg.Retry()
				continue
			}
		}
		msg.Ack()
	}
	return nil
}
