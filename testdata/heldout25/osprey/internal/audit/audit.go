// Package audit writes and lists project audit logs. It talks to the
// namespace directly through the v0 API; Configure must run at start-up.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

var (
	api         *cloudflare.API
	account     *cloudflare.ResourceContainer
	namespaceID string
	pageSize    = 1000
	maxPages    = 10
)

// Configure sets the package's client and namespace.
func Configure(a *cloudflare.API, accountID, nsID string, listPageSize, listMaxPages int) {
	api = a
	account = cloudflare.AccountIdentifier(accountID)
	namespaceID = nsID
	pageSize = listPageSize
	maxPages = listMaxPages
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	var nfv cloudflare.NotFoundError
	return errors.As(err, &nf) || errors.As(err, &nfv)
}

func entryKey(e domain.AuditEntry, id string) string {
	return fmt.Sprintf("audit/%s/%d-%s", e.Project, e.At.UnixNano(), id)
}

func recentKey(project string) string { return "audit/" + project + "/_recent" }

// Record stores one entry under its own key, with the summary in metadata
// so listings need no extra reads.
func Record(ctx context.Context, e domain.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	meta := struct {
		Actor  string `json:"actor"`
		Action string `json:"action"`
	}{e.Actor, e.Action}
	_, err = api.WriteWorkersKVEntries(ctx, account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           entryKey(e, domain.NewID()),
			Value:         string(body),
			ExpirationTTL: 90 * 24 * 3600,
			Metadata:      meta,
		}},
	})
	return err
}

// PushRecent adds the entry to the project's "recent activity" list shown
// on the dashboard home.
func PushRecent(ctx context.Context, e domain.AuditEntry) error {
	var recent []domain.AuditEntry
	b, err := api.GetWorkersKV(ctx, account, cloudflare.GetWorkersKVParams{NamespaceID: namespaceID, Key: recentKey(e.Project)})
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &recent); err != nil {
			return err
		}
	case !isNotFound(err):
		return err
	}
	recent = append(recent, e)
	if len(recent) > 50 {
		recent = recent[len(recent)-50:]
	}
	out, err := json.Marshal(recent)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, account, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: namespaceID,
		Key:         recentKey(e.Project),
		Value:       out,
	})
	return err
}

// Summary is an audit entry as listed, built from key metadata.
type Summary struct {
	Key    string `json:"key"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
}

func summarize(keys []cloudflare.StorageKey) []Summary {
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		s := Summary{Key: k.Name}
		if m, ok := k.Metadata.(map[string]any); ok {
			s.Actor, _ = m["actor"].(string)
			s.Action, _ = m["action"].(string)
		}
		out = append(out, s)
	}
	return out
}

// Page returns one page of a project's log and the cursor for the next.
func Page(ctx context.Context, project, cursor string) ([]Summary, string, error) {
	resp, err := api.ListWorkersKVKeys(ctx, account, cloudflare.ListWorkersKVsParams{
		NamespaceID: namespaceID,
		Prefix:      "audit/" + project + "/",
		Cursor:      cursor,
		Limit:       pageSize,
	})
	if err != nil {
		return nil, "", err
	}
	return summarize(resp.Result), resp.Cursor, nil
}

// Recent returns up to maxPages pages of the log.
func Recent(ctx context.Context, project string) ([]Summary, error) {
	var out []Summary
	cursor := ""
	for i := 0; i < maxPages; i++ {
		s, next, err := Page(ctx, project, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// All returns the project's full log, used by the compliance export.
func All(ctx context.Context, project string) ([]Summary, error) {
	var out []Summary
	params := cloudflare.ListWorkersKVsParams{NamespaceID: namespaceID, Prefix: "audit/" + project + "/", Limit: 1000}
	for {
		resp, err := api.ListWorkersKVKeys(ctx, account, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, summarize(resp.Result)...)
		if resp.Cursor == "" {
			return out, nil
		}
		params.Cursor = resp.Cursor
	}
}

// Sweep deletes a project's entries page by page after the project is gone.
func Sweep(ctx context.Context, project string, deadline time.Time) (int, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	removed := 0
	cursor := ""
	for {
		resp, err := api.ListWorkersKVKeys(ctx, account, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: namespaceID, Prefix: "audit/" + project + "/", Cursor: cursor, Limit: 1000,
		})
		if err != nil {
			return removed, err
		}
		if len(resp.Result) == 0 {
			break
		}
		keys := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if _, err := api.DeleteWorkersKVEntries(ctx, account, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: namespaceID, Keys: keys}); err != nil {
			return removed, err
		}
		removed += len(keys)
		cursor = resp.Cursor
	}
	return removed, nil
}

// Archive writes an export archive with the retention notice attached.
func Archive(ctx context.Context, project string, entries []Summary) error {
	body, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntries(ctx, account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           fmt.Sprintf("audit-archive/%s/%s", project, time.Now().UTC().Format("2006-01-02")),
			Value:         string(body),
			ExpirationTTL: 365 * 24 * 3600,
			Metadata:      map[string]string{"notice": retentionNotice}, // EXPECT kvlimits
		}},
	})
	return err
}

// Sequenced writes an entry under a zero-padded sequence number so that
// keys sort in insertion order.
func Sequenced(ctx context.Context, raw storage.Raw, project string, seq int64, e domain.AuditEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return raw.Put(ctx, fmt.Sprintf("audit-seq/%s/%0520d", project, seq), b) // EXPECT kvlimits
}
