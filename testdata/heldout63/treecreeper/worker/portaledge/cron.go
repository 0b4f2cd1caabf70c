//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

var boardCurrencies = []string{"EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN"}

// runCron handles the Worker's triggers: the hourly rate snapshot and the
// nightly clean-up of expired receipt tickets and stale pay-page caches.
func runCron(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := edge()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "5 * * * *":
		return snapshotRates(ctx, ns, ev.ScheduledTime)
	case "30 3 * * *":
		if err := pruneTickets(ns); err != nil {
			return err
		}
		if err := pruneLinkCaches(ns); err != nil {
			return err
		}
		return auditSessions(ns)
	}
	return nil
}

type rate struct {
	Quote string  `json:"quote"`
	Mid   float64 `json:"mid"`
}

func snapshotRates(ctx context.Context, ns *kv.Namespace, at time.Time) error {
	cli := fetch.NewClient()
	board := make(map[string]float64, len(boardCurrencies))
	for _, ccy := range boardCurrencies {
		req, _ := fetch.NewRequest(ctx, http.MethodGet, "https://rates.treasury.internal/v2/USD/"+ccy, nil)
		res, err := cli.Do(req, nil)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var r rate
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("%s: %w", ccy, err)
		}
		board[ccy] = r.Mid
		if err := ns.PutString("fx:USD:"+ccy, string(raw), &kv.PutOptions{ExpirationTTL: 2 * 3600}); err != nil {
			return err
		}
		if err := ns.PutString("fx:updated-at", at.Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	body, _ := json.Marshal(board)
	return ns.PutString("fx:snapshot", string(body), &kv.PutOptions{ExpirationTTL: 3 * 3600})
}

func pruneTickets(ns *kv.Namespace) error {
	opts := &kv.ListOptions{Prefix: "receipt-ticket:", Limit: 2000} // EXPECT kvlimits
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				_ = ns.Delete(k.Name)
			}
		}
		opts.Cursor = res.Cursor
	}
}

func pruneLinkCaches(ns *kv.Namespace) error {
	res, err := ns.List(&kv.ListOptions{Prefix: "link:", Limit: 1000})
	if err != nil {
		return err
	}
	for pages := 1; ; pages++ {
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now().Add(time.Hour)) {
				_ = ns.Delete(k.Name)
			}
		}
		if res.ListComplete || pages >= 50 {
			return nil
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
}

// auditSessions logs the number of live sessions for the capacity
// report, reading at most ten pages a night.
func auditSessions(ns *kv.Namespace) error {
	total, complete := 0, false
	opts := &kv.ListOptions{Prefix: "sess:", Limit: 1000}
	for range 10 {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		total += len(res.Keys)
		if complete = res.ListComplete; complete {
			break
		}
		opts.Cursor = res.Cursor
	}
	fmt.Printf("live sessions: %d (complete=%t)\n", total, complete)
	return nil
}
