package kvlist

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type job struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
}

// duePage lists one page of due jobs and hands its cursor back.
func (s *store) duePage(ctx context.Context, cursor string) ([]string, string, error) {
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("due:"), Cursor: cloudflare.F(cursor),
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

// loadJobs reads the listed jobs with one bulk get.
func (s *store) loadJobs(ctx context.Context, names []string) ([]job, error) {
	res, err := s.client.KV.Namespaces.BulkGet(ctx, s.ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.account), Keys: cloudflare.F(names),
	})
	if err != nil {
		return nil, err
	}
	var jobs []job
	if values, ok := res.Values.(map[string]any); ok {
		for _, v := range values {
			if text, ok := v.(string); ok {
				var j job
				if json.Unmarshal([]byte(text), &j) == nil {
					jobs = append(jobs, j)
				}
			}
		}
	}
	return jobs, nil
}

func (s *store) held(ctx context.Context, key string) bool {
	_, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	return err == nil
}

// Quiet: the listed jobs are read in bulk; the get per job reads its
// owner's lock, a key made from the record, not a listed key read again.
func (s *store) runDue(ctx context.Context, cursor string) (string, error) {
	names, next, err := s.duePage(ctx, cursor)
	if err != nil {
		return "", err
	}
	jobs, err := s.loadJobs(ctx, names)
	if err != nil {
		return "", err
	}
	for _, j := range jobs {
		if s.held(ctx, fmt.Sprintf("lock:%s:%s", j.Owner, j.ID)) {
			continue
		}
	}
	return next, nil
}

// The same page, with each listed job read on its own.
func (s *store) runDueOneByOne(ctx context.Context, cursor string) (string, error) { // want runDueOneByOne:"kvlist"
	names, next, err := s.duePage(ctx, cursor)
	if err != nil {
		return "", err
	}
	for _, name := range names {
		res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // want `one get per listed key`
		if err != nil {
			return "", err
		}
		res.Body.Close()
	}
	return next, nil
}
