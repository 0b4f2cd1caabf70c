//go:build js && wasm

// Package metrics records lightweight page statistics from the edge and the
// cron heartbeat the on-call dashboard watches.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/juniper/edge/kvbind"
)

// CountView adds one to an event page's view count.
func CountView(eventID string) error {
	ns := kvbind.Namespace()
	k := "views:" + eventID
	v, err := ns.GetString(k, nil)
	if err != nil {
		return err
	}
	if kvbind.IsMissing(v) {
		v = "0"
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("metrics: %s: %w", k, err)
	}
	return ns.PutString(k, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Middleware counts views of event pages after the response is sent.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		id := r.PathValue("id")
		if r.Method != http.MethodGet || id == "" {
			return
		}
		cloudflare.WaitUntil(func() { _ = CountView(id) })
	})
}

// Heartbeat is the scheduled task. It runs once per cron trigger (every five
// minutes) and records when it last ran and for which schedule.
func Heartbeat(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	stamp := ev.ScheduledTime.UTC().Format(time.RFC3339)
	if err := kvbind.Namespace().PutString("cron:heartbeat", stamp, &kv.PutOptions{ExpirationTTL: 900}); err != nil {
		return err
	}
	bucket := ev.ScheduledTime.Truncate(time.Hour).Unix()
	return kvbind.Save(fmt.Sprintf("cron:runs:%s:%d", ev.Cron, bucket), stamp, 2*24*3600)
}
