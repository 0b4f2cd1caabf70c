// Package maintenance holds the operator's jobs against one namespace:
// purges, reports, restores, tokens and site-wide announcements.
package maintenance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"quill/internal/kvstore"
	"quill/internal/tier"
)

// Janitor runs maintenance jobs against one namespace.
type Janitor struct {
	api     *kv.NamespaceService
	account string
	ns      string
}

func New(client *cloudflare.Client, account, ns string) *Janitor {
	return &Janitor{api: client.KV.Namespaces, account: account, ns: ns}
}

func (j *Janitor) listParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{AccountID: cloudflare.F(j.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
}

func (j *Janitor) bulkDelete(ctx context.Context, names []string) error {
	var errs []error
	for start := 0; start < len(names); start += kvstore.MaxBulk {
		chunk := names[start:min(start+kvstore.MaxBulk, len(names))]
		if _, err := j.api.BulkDelete(ctx, j.ns, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(j.account), Body: chunk}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// PurgePreviews deletes cached previews that older edge releases wrote
// without a lifetime.
func (j *Janitor) PurgePreviews(ctx context.Context) (int, error) {
	params := j.listParams(tier.Preview.Prefix() + "/")
	var stale []string
	for {
		page, err := j.api.Keys.List(ctx, j.ns, params) // EXPECT kvlist
		if err != nil {
			return 0, fmt.Errorf("maintenance: list previews: %w", err)
		}
		for _, k := range page.Result {
			if k.Expiration == 0 {
				stale = append(stale, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return len(stale), j.bulkDelete(ctx, stale)
}

// PurgeWriter deletes a departed writer's renderings, at most maxPages pages
// per kind per run; the cron job calls it again until done.
func (j *Janitor) PurgeWriter(ctx context.Context, writer string, maxPages int) (done bool, err error) {
	done = true
	for _, kind := range []tier.Kind{tier.Public, tier.Paywalled, tier.Teaser, tier.Preview} {
		params := j.listParams(kind.Prefix() + "/" + writer + "/")
		for page := 0; ; page++ {
			if page == maxPages {
				done = false
				break
			}
			res, err := j.api.Keys.List(ctx, j.ns, params)
			if err != nil {
				return false, fmt.Errorf("maintenance: list %s: %w", writer, err)
			}
			names := make([]string, 0, len(res.Result))
			for _, k := range res.Result {
				names = append(names, k.Name)
			}
			if err := j.bulkDelete(ctx, names); err != nil {
				return false, err
			}
			if res.ResultInfo.Cursor == "" {
				break
			}
			params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
		}
	}
	return done, nil
}

// StaleEntitlements returns cached entitlements without a lifetime, which an
// old edge release wrote. It reads at most maxPages pages.
func (j *Janitor) StaleEntitlements(ctx context.Context, maxPages int) ([]string, error) {
	var out []string
	params := j.listParams("ent:")
	for page := 0; page < maxPages; page++ {
		res, err := j.api.Keys.List(ctx, j.ns, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			if k.Expiration == 0 {
				out = append(out, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(j.account),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return out, nil
}

// Peek shows the first few keys under prefix and the cursor to continue.
func (j *Janitor) Peek(ctx context.Context, prefix string) ([]string, string, error) {
	res, err := j.api.Keys.List(ctx, j.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}

// restoreBatch is how many archived pairs go into one bulk request.
const restoreBatch = 20_000

// archived is one line of a namespace archive.
type archived struct {
	Key        string `json:"key"`
	Value      string `json:"value"`
	Base64     bool   `json:"base64,omitempty"`
	Expiration int64  `json:"expiration,omitempty"`
}

type RestoreReport struct {
	Written int
	Failed  []string
}

// Restore writes an archive (JSON lines) back into the namespace.
func (j *Janitor) Restore(ctx context.Context, r io.Reader) (RestoreReport, error) {
	var rep RestoreReport
	batch := make([]kv.NamespaceBulkUpdateParamsBody, 0, restoreBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := j.api.BulkUpdate(ctx, j.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(j.account), Body: batch}) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("maintenance: restore batch of %d: %w", len(batch), err)
		}
		rep.Written += int(res.SuccessfulKeyCount)
		rep.Failed = append(rep.Failed, res.UnsuccessfulKeys...)
		batch = batch[:0]
		return nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	var errs []error
	for line := 1; sc.Scan(); line++ {
		var a archived
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", line, err))
			continue
		}
		body := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(a.Key), Value: cloudflare.F(a.Value), Base64: cloudflare.F(a.Base64)}
		if a.Expiration > 0 {
			body.Expiration = cloudflare.F(float64(a.Expiration))
		}
		batch = append(batch, body)
		if len(batch) == restoreBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if err := flush(); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}
