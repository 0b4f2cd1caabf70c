package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

type reminder struct {
	Email string `json:"email"`
}

// SendTrialReminders mails every due trial reminder and removes it.
func (j *Jobs) SendTrialReminders(ctx context.Context) error {
	fetch := (*kvstore.RESTStore).Get
	cursor := ""
	for {
		page, err := j.central.List(ctx, "reminder/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			raw, err := fetch(j.central, ctx, keys.Raw(k.Name)) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			var r reminder
			if json.Unmarshal(raw, &r) != nil || r.Email == "" {
				continue
			}
			parts := strings.Split(strings.TrimPrefix(k.Name, "reminder/"), "/")
			if err := j.mail.Send(ctx, r.Email, "trial-ending", map[string]string{"product": parts[0]}); err != nil {
				return err
			}
			_ = j.central.Delete(ctx, keys.Raw(k.Name))
		}
		cursor = page.Cursor
	}
	return nil
}

// TrialStats counts trials per product for the metrics endpoint.
func (j *Jobs) TrialStats(ctx context.Context) (map[string]int, error) {
	client, account, ns := j.centralV2.Client()
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cfv2.F(account),
		Prefix:    cfv2.F("trial/"),
	})
	out := map[string]int{}
	for iter.Next() {
		name := strings.TrimPrefix(iter.Current().Name, "trial/")
		product, _, _ := strings.Cut(name, "/")
		out[product]++
	}
	return out, iter.Err()
}

// ExpiringTrials returns up to budget trial keys that carry an expiry, for
// the support dashboard's "ending soon" widget.
func (j *Jobs) ExpiringTrials(ctx context.Context, budget int) ([]kvstore.KeyInfo, error) {
	client, account, ns := j.centralV2.Client()
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{
		AccountID: cfv2.F(account),
		Prefix:    cfv2.F("trial/"),
		Limit:     cfv2.F(float64(1000)),
	})
	var out []kvstore.KeyInfo
	for iter.Next() {
		k := iter.Current()
		if k.Expiration == 0 {
			continue
		}
		out = append(out, kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
		if len(out) >= budget {
			break
		}
	}
	return out, iter.Err()
}

// TrialPage returns one page of trial keys for the admin UI, with the cursor
// for the next page.
func (j *Jobs) TrialPage(ctx context.Context, product, cursor string) (kvstore.Page, error) {
	client, account, ns := j.centralV2.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cfv2.F(account),
		Prefix:    cfv2.F("trial/" + product + "/"),
		Limit:     cfv2.F(float64(2000)), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cfv2.F(cursor)
	}
	res, err := client.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return kvstore.Page{}, err
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}
