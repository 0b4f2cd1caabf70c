//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

var trackedCurrencies = []string{"EUR", "USD", "GBP", "CHF", "SEK"}

// refreshRates runs on the cron trigger and warms the rate cache.
func (e *edge) refreshRates(ctx context.Context, now time.Time) error {
	raw, err := e.cache.GetString("cfg:fx-refresh-minutes", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	every, err := strconv.Atoi(raw)
	if err != nil {
		return fmt.Errorf("cfg:fx-refresh-minutes: %w", err)
	}
	if now.Minute()%max(every, 1) != 0 {
		return nil
	}

	for _, cur := range trackedCurrencies {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.origin+"/fx/"+cur, nil)
		if err != nil {
			return err
		}
		res, err := e.http.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		ttl := (time.Duration(every)*time.Minute + 5*time.Minute) / time.Second
		if err := e.cache.PutString("fx:"+cur, string(b), &kv.PutOptions{ExpirationTTL: int(ttl)}); err != nil {
			return err
		}
	}

	if err := e.pruneStale(now); err != nil {
		return err
	}
	return e.cache.PutString("cron:last-refresh", now.Format(time.RFC3339), nil)
}

// pruneStale removes per-quote rate pins whose quote has expired.
func (e *edge) pruneStale(now time.Time) error {
	opts := &kv.ListOptions{Prefix: "fx:quote:", Limit: 2000} // EXPECT kvlimits
	removed := 0
	for {
		res, err := e.cache.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 && removed < 200 {
				if err := e.cache.Delete(k.Name); err != nil {
					return err
				}
				removed++
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}
