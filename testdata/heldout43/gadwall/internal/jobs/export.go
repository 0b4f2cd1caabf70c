package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

const exportMaxPages = 200

type exportRow struct {
	Key        string `json:"key"`
	Expiration int    `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
}

// ExportLicenseKeys writes every licence key name of the central namespace
// as JSON lines; the backup tool fetches values separately and reads the
// saved cursor to resume an interrupted export.
func (j *Jobs) ExportLicenseKeys(ctx context.Context, w io.Writer) error {
	api, rc, ns := j.central.API()
	enc := json.NewEncoder(w)
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: keys.LicensePrefix, Limit: 1000}
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			if err := enc.Encode(exportRow{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
				return err
			}
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = resp.ResultInfo.Cursor
		if err := j.ops.Put(ctx, keys.Static("export/licenses-cursor"), []byte(params.Cursor)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
}

// ExportTenant writes a tenant's keys, stopping after exportMaxPages pages
// or when ctx's deadline passes; the returned cursor resumes the export.
func (j *Jobs) ExportTenant(ctx context.Context, tenantID string, w io.Writer, cursor string) (string, error) {
	t, err := j.tenants.Lookup(tenantID)
	if err != nil {
		return "", err
	}
	enc := json.NewEncoder(w)
	for page := 0; page < exportMaxPages; page++ {
		if ctx.Err() != nil {
			return cursor, nil
		}
		res, err := t.KV.List(ctx, "", cursor, 1000)
		if err != nil {
			return cursor, err
		}
		for _, k := range res.Keys {
			if err := enc.Encode(exportRow{Key: k.Name, Expiration: int(k.Expiration), Metadata: k.Metadata}); err != nil {
				return cursor, err
			}
		}
		if res.Cursor == "" {
			return "", nil
		}
		cursor = res.Cursor
	}
	return cursor, nil
}

// CustomerEmails rebuilds the email → customer list for the CRM sync from
// the metadata of the customer keys.
func (j *Jobs) CustomerEmails(ctx context.Context, portal *kvstore.RESTStore) (map[string]string, error) {
	api, rc, ns := portal.API()
	out := map[string]string{}
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: "customer-email/", Limit: 1000}
	for page := 0; page < exportMaxPages; page++ {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			if md, ok := k.Metadata.(map[string]any); ok {
				if id, ok := md["customer"].(string); ok {
					out[k.Name] = id
				}
			}
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: ns, Cursor: resp.ResultInfo.Cursor, Limit: 1000}
	}
	return out, nil
}

// LicensesBatch returns one page of licence keys for the admin API.
func (j *Jobs) LicensesBatch(ctx context.Context, cursor string) (kvstore.Page, error) {
	api, rc, ns := j.central.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      keys.LicensePrefix,
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return kvstore.Page{}, err
	}
	page := kvstore.Page{Cursor: resp.ResultInfo.Cursor}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}

// RecentLocks shows the first few held job locks on the status page.
func (j *Jobs) RecentLocks(ctx context.Context) ([]string, string, error) {
	api, rc, ns := j.ops.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      "lock/",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		exp := ""
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		out = append(out, fmt.Sprintf("%s (until %s)", k.Name, exp))
	}
	return out, resp.ResultInfo.Cursor, nil
}
