//go:build js && wasm

package edge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Scheduled runs on the Worker's cron trigger (every 10 minutes).
func Scheduled(ctx context.Context) error {
	ns, err := kv.NewNamespace(kvBinding)
	if err != nil {
		return err
	}
	db, err := openDB()
	if err != nil {
		return err
	}
	defer db.Close()

	if err := notifySubscribers(ctx, ns); err != nil {
		fmt.Println("subscribers:", err)
	}
	n, err := countAcks(ns)
	if err != nil {
		fmt.Println("acks:", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO edge_stats (at, acks) VALUES (?, ?)`, time.Now().Unix(), n); err != nil {
		fmt.Println("stats:", err)
	}
	return ns.PutString("edge:cron:last-run", time.Now().UTC().Format(time.RFC3339), nil)
}

// notifySubscribers collects the chats that subscribed to status updates
// and marks them for the bot process.
func notifySubscribers(ctx context.Context, ns *kv.Namespace) error {
	opts := &kv.ListOptions{
		Prefix: "sub:status:",
		Limit:  2000, // EXPECT kvlimits
	}
	var chats []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			lang, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || !present(lang) {
				continue
			}
			chats = append(chats, strings.TrimPrefix(k.Name, opts.Prefix)+":"+lang)
		}
		opts.Cursor = res.Cursor
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(chats) == 0 {
		return nil
	}
	return ns.PutString("notify:status:"+time.Now().UTC().Format("200601021504"), strings.Join(chats, ","), &kv.PutOptions{ExpirationTTL: 3600})
}

// countAcks counts chats that got the "closed" notice recently. It reads
// at most ten pages.
func countAcks(ns *kv.Namespace) (int, error) {
	opts := &kv.ListOptions{Prefix: "ack:", Limit: 1000}
	total := 0
	for page := 0; page < 10; page++ {
		res, err := ns.List(opts)
		if err != nil {
			return total, err
		}
		total += len(res.Keys)
		if res.ListComplete {
			return total, nil
		}
		opts = &kv.ListOptions{Prefix: "ack:", Limit: 1000, Cursor: res.Cursor}
	}
	return total, nil
}
