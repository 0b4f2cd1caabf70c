//go:build js && wasm

package cronjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

type shopSummary struct {
	ShopID   string    `json:"shop_id"`
	Name     string    `json:"name"`
	Campaign string    `json:"campaign,omitempty"`
	At       time.Time `json:"at"`
}

// summarizeShops writes one summary per shop, a few shops at a time.
func (j *Runner) summarizeShops(ctx context.Context) (int, error) {
	var ids []string
	cursor := ""
	for range 10 {
		page, next, err := j.shops.Page(ctx, cursor, 1000)
		if err != nil {
			return 0, err
		}
		ids = append(ids, page...)
		if next == "" {
			break
		}
		cursor = next
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, j.cfg.Concurrency)
		day  = time.Now().UTC().Format("20060102")
	)
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			err := j.summarizeOne(ctx, id, day)
			if err == nil {
				status := fmt.Sprintf(`{"shop":%q,"at":%q}`, id, time.Now().UTC().Format(time.RFC3339))
				err = j.store.Put(ctx, consts.KeySweepStatus, status) // EXPECT kvhotkey
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", id, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(ids) - len(errs), errors.Join(errs...)
}

func (j *Runner) summarizeOne(ctx context.Context, shopID, day string) error {
	s, err := j.shops.Get(ctx, shopID)
	if err != nil {
		return err
	}
	sum := shopSummary{ShopID: s.ID, Name: s.Name, At: time.Now().UTC()}
	if c, ok, err := j.shops.Campaign(ctx, shopID); err != nil {
		return err
	} else if ok {
		sum.Campaign = c.Headline
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return j.store.Put(ctx, consts.PrefixSummary.Key(shopID, day), string(b), storage.WithTTL(35*24*time.Hour))
}
