//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"
)

type bounceEvent struct {
	Recipient string `json:"recipient"`
	Domain    string `json:"domain"`
	Kind      string `json:"kind"`
	Diag      string `json:"diagnostic"`
}

// consumeBounces handles the bounce queue: recent bounces get a short-lived
// marker the send API checks, and complaints are appended to the domain's log.
func (a *app) consumeBounces(batch *queues.MessageBatch) error {
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			m.Ack()
			continue
		}
		var ev bounceEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			m.Ack()
			continue
		}
		rcpt := strings.ToLower(ev.Recipient)
		err = a.supp.PutString("bounce:recent:"+rcpt, ev.Kind, &cloudflare.KVNamespacePutOptions{
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		})
		if err != nil {
			m.Retry()
			continue
		}
		if ev.Kind == "complaint" {
			logKey := "complaints:" + ev.Domain
			prev, err := a.supp.GetString(logKey, nil)
			if err != nil {
				m.Retry()
				continue
			}
			if prev == null {
				prev = ""
			}
			entry := fmt.Sprintf("%d %s %s\n", time.Now().Unix(), rcpt, ev.Diag)
			if err := a.supp.PutString(logKey, prev+entry, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30 * 86400}); err != nil { // EXPECT kvrace
				m.Retry()
				continue
			}
		}
		_ = a.tracking.PutString("queue:bounces:last_id", m.ID, nil) // EXPECT kvhotkey
		m.Ack()
	}
	return nil
}

// nightly builds the digest index for today from the pending entries.
func (a *app) nightly(ctx context.Context) error {
	now := time.Now().UTC()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "digest-pending:", Limit: 1000}
	recipients := map[string]int{}
	for page := 0; page < 20; page++ {
		res, err := a.tracking.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(strings.TrimPrefix(k.Name, "digest-pending:"), ":", 2)
			recipients[parts[0]]++
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: "digest-pending:", Limit: 1000, Cursor: res.Cursor}
	}
	body, _ := json.Marshal(recipients)
	if err := a.tracking.PutString("digest:"+now.Format("2006-01-02"), string(body), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7 * 86400}); err != nil {
		return err
	}
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	log.Printf("digest: %d recipients", len(recipients))
	return a.config.PutString("digest:last_run", now.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
		Expiration: int(endOfDay.Unix()), // DEBATABLE kvttl
	})
}

// renderPreview asks the template service for a preview.
func renderPreview(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("empty template id")
	}
	return "<html><body>preview " + id + "</body></html>", nil
}
