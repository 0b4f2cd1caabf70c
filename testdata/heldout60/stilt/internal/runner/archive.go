package runner

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

const (
	archiveCursorKey = "runner:archive-cursor"
	maxArchivePages  = 40
	archiveBatch     = 25_000 // EXPECT kvlimits
)

// archiveCursor returns where the previous archive pass stopped.
func (s *Sweeper) archiveCursor(ctx context.Context) (string, error) {
	res, err := s.values.Get(ctx, s.jobs, archiveCursorKey, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(b) == 0 { // EXPECT kvnull
		return "", nil
	}
	return string(b), nil
}

// Archive copies the summaries of finished jobs older than ArchiveAge to
// the archive namespace and deletes them from the jobs namespace. It
// continues where the previous pass stopped and reads at most
// maxArchivePages pages per pass.
func (s *Sweeper) Archive(ctx context.Context) error {
	ctx, span := tracer.Start(ctx, "runner.Archive")
	defer span.End()

	cursor, err := s.archiveCursor(ctx)
	if err != nil {
		span.RecordError(err)
		return err
	}
	cutoff := float64(time.Now().Add(-s.ArchiveAge).Unix())

	var (
		entries []kv.NamespaceKeyBulkUpdateParamsBody
		names   []string
	)
	for range maxArchivePages {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.account),
			Limit:     cloudflare.F(1000.0),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		} else {
			params.Prefix = cloudflare.F(jobPrefix)
		}
		page, err := s.keys.List(ctx, s.jobs, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			md, ok := k.Metadata.(map[string]any)
			if !ok || md["s"] != "done" {
				continue
			}
			if updated, _ := md["u"].(float64); updated == 0 || updated > cutoff {
				continue
			}
			summary, err := json.Marshal(md)
			if err != nil {
				continue
			}
			entries = append(entries, kv.NamespaceKeyBulkUpdateParamsBody{
				Key:   cloudflare.F(k.Name),
				Value: cloudflare.F(string(summary)),
			})
			names = append(names, k.Name)
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}

	for start := 0; start < len(entries); start += archiveBatch {
		end := min(start+archiveBatch, len(entries))
		if _, err := s.keys.BulkUpdate(ctx, s.archive, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      entries[start:end],
		}); err != nil {
			span.RecordError(err)
			return err
		}
		if _, err := s.keys.BulkDelete(ctx, s.jobs, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(s.account),
			Body:      names[start:end],
		}); err != nil {
			span.RecordError(err)
			return err
		}
	}
	if cursor == "" {
		_, err = s.values.Delete(ctx, s.jobs, archiveCursorKey, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
		return err
	}
	return s.put(ctx, archiveCursorKey, cursor)
}
