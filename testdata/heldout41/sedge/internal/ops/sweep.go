package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"sedge/internal/restkv"
)

// exportPage is the page size requested when exporting records.
const exportPage = 5000

// maxExport bounds one export run.
const maxExport = 20_000

// maxMirrorPages bounds one mirror run.
const maxMirrorPages = 200

// PurgeHolds deletes hold records that were written without a lifetime.
func (a *Admin) PurgeHolds(ctx context.Context) (int, error) {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(a.prefix + "hold:"),
	})
	var doomed []string
	for iter.Next() {
		if k := iter.Current(); k.Expiration == 0 {
			doomed = append(doomed, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(doomed, 10_000) {
		if _, err := a.client.KV.Namespaces.BulkDelete(ctx, a.ns, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(a.account),
			Body:      chunk,
		}); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

// SampleSessions returns up to budget session keys, for the support console.
func (a *Admin) SampleSessions(ctx context.Context, budget int) ([]string, error) {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(a.prefix + "sess:"),
		Limit:     cloudflare.F(100.0),
	})
	out := make([]string, 0, budget)
	for iter.Next() {
		out = append(out, iter.Current().Name)
		if len(out) >= budget {
			break
		}
	}
	return out, iter.Err()
}

// ExportNoShowNotes writes every diner's no-show notes as JSON lines.
func (a *Admin) ExportNoShowNotes(ctx context.Context, w io.Writer) error {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(a.prefix + "noshow-notes:"),
		Limit:     cloudflare.F(float64(exportPage)), // EXPECT kvlimits
	})
	enc := json.NewEncoder(w)
	for n := 0; n < maxExport && iter.Next(); n++ {
		k := iter.Current()
		res, err := a.client.KV.Namespaces.Values.Get(ctx, a.ns, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
			AccountID: cloudflare.F(a.account),
		})
		if err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if err := enc.Encode(map[string]string{"key": k.Name, "notes": string(body)}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// Peek returns the first keys under prefix and the cursor to continue from.
func (a *Admin) Peek(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(a.prefix + prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := a.client.KV.Namespaces.Keys.List(ctx, a.ns, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// DinerProfile is the public part of a diner's account, mirrored to KV so the
// worker can greet returning diners.
type DinerProfile struct {
	ID        string `json:"id"`
	FirstName string `json:"first_name"`
	Locale    string `json:"locale"`
}

// DinerSource pages through the origin's diner directory.
type DinerSource interface {
	Page(ctx context.Context, cursor string) ([]DinerProfile, string, error)
}

// MirrorDiners copies diner profiles from the origin in bulk, saving the
// origin cursor after each page so that an interrupted run resumes.
func (a *Admin) MirrorDiners(ctx context.Context, src DinerSource) error {
	cursor := ""
	if o, err := a.state.Lookup(ctx, "mirror-cursor"); err != nil {
		return err
	} else if v, ok := o.Get(); ok {
		cursor = string(v)
	}
	for range maxMirrorPages {
		page, next, err := src.Page(ctx, cursor)
		if err != nil {
			return err
		}
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(page))
		for _, p := range page {
			v, _ := json.Marshal(p)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(a.prefix + "diner:" + p.ID),
				Value: cloudflare.F(string(v)),
			})
		}
		if len(body) > 0 {
			if _, err := a.client.KV.Namespaces.BulkUpdate(ctx, a.ns, kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(a.account),
				Body:      body,
			}); err != nil {
				return err
			}
		}
		if err := a.state.Put(ctx, "mirror-cursor", []byte(next), restkv.WriteOpts{}); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// ForgetDiner erases a diner's records at their request. The origin passes
// the session IDs of the diner's known devices.
func (a *Admin) ForgetDiner(ctx context.Context, dinerID string, sessionIDs []string) error {
	keys := []string{
		a.prefix + "diner:" + dinerID,
		a.prefix + "prefs:" + dinerID,
		a.prefix + "noshow-notes:" + dinerID,
	}
	for _, sid := range sessionIDs {
		keys = append(keys, a.prefix+"sess:"+sid)
	}
	_, err := a.client.KV.Namespaces.BulkDelete(ctx, a.ns, kv.NamespaceBulkDeleteParams{ // DEBATABLE kvsession
		AccountID: cloudflare.F(a.account),
		Body:      keys,
	})
	return err
}
