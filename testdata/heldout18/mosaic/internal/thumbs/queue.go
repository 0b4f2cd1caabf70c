//go:build js && wasm

package thumbs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"
)

// RenderRequest is the body of a message on the thumbnail queue.
type RenderRequest struct {
	PhotoID string `json:"photo_id"`
	AlbumID string `json:"album_id"`
}

// progress is the consumer position shown on the operations dashboard.
type progress struct {
	MessageID string    `json:"message_id"`
	PhotoID   string    `json:"photo_id"`
	At        time.Time `json:"at"`
}

// Consumer renders thumbnails for newly uploaded photos.
func (c *Cache) Consumer(ctx context.Context) queues.Consumer {
	return func(batch *queues.MessageBatch) error {
		for _, msg := range batch.Messages {
			body, err := msg.StringBody()
			if err != nil {
				c.log.Warn("unreadable render request", "id", msg.ID, "err", err)
				msg.Ack()
				continue
			}
			var req RenderRequest
			if err := json.Unmarshal([]byte(body), &req); err != nil || req.PhotoID == "" {
				msg.Ack()
				continue
			}
			failed := false
			for _, size := range []Size{Small, Medium} {
				img, err := c.resizer.Resize(ctx, req.PhotoID, size)
				if err == nil {
					enc := base64.StdEncoding.EncodeToString(img)
					err = c.ns.PutString(thumbKey(req.PhotoID, size), enc, &kv.PutOptions{ExpirationTTL: int(c.ttl.Seconds())})
				}
				if err != nil {
					c.log.Error("render failed", "photo", req.PhotoID, "size", size, "err", err)
					failed = true
					break
				}
			}
			if failed {
				msg.Retry(queues.WithRetryDelay(30 * time.Second))
				continue
			}
			p, _ := json.Marshal(progress{MessageID: msg.ID, PhotoID: req.PhotoID, At: time.Now().UTC()})
			if err := c.ns.PutString("thumbs:consumer-progress", string(p), nil); err != nil { // EXPECT kvhotkey
				c.log.Debug("progress write failed", "err", err)
			}
			msg.Ack()
		}
		return nil
	}
}
