// Package bulk loads redirects into KV through the bulk endpoint.
package bulk

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Redirect is one row of the redirects CSV.
type Redirect struct {
	From, To string
}

// Options come from the command line.
type Options struct {
	AccountID  string
	NSID       string
	ExpiryDays int
}

// Load writes the redirects with the configured lifetime.
func Load(ctx context.Context, client *cloudflare.Client, opt Options, rows []Redirect) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		item := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("redirect:" + r.From),
			Value: cloudflare.F(r.To),
		}
		if opt.ExpiryDays > 0 {
			item.ExpirationTTL = cloudflare.F(float64(opt.ExpiryDays * 86400))
		}
		body = append(body, item)
	}
	_, err := client.KV.Namespaces.BulkUpdate(ctx, opt.NSID, kv.NamespaceBulkUpdateParams{ // DEBATABLE kvlimits
		AccountID: cloudflare.F(opt.AccountID),
		Body:      body,
	})
	return err
}

// holdSeconds is how long a redirect "lock" row is held during a load.
const holdSeconds = 20

// LoadWithLock writes a lock row first, then the rows.
func LoadWithLock(ctx context.Context, client *cloudflare.Client, opt Options, rows []Redirect) error {
	lock := []kv.NamespaceBulkUpdateParamsBody{{
		Key:        cloudflare.F("redirect:_lock"),
		Value:      cloudflare.F("held"),
		Expiration: cloudflare.F(float64(time.Now().Unix() + 30)), // EXPECT kvttl
	}, {
		Key:           cloudflare.F("redirect:_lock2"),
		Value:         cloudflare.F("held"),
		ExpirationTTL: cloudflare.F(float64(holdSeconds)), // EXPECT kvttl
	}}
	if _, err := client.KV.Namespaces.BulkUpdate(ctx, opt.NSID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(opt.AccountID),
		Body:      lock,
	}); err != nil {
		return err
	}
	return Load(ctx, client, opt, rows)
}
