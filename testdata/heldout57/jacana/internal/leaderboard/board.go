// Package leaderboard builds weekly course leaderboards from per-learner
// score keys. Each learner's weekly score is written by the Worker as
// lb:<course>:<week>:<learner> with the score in the key's metadata.
package leaderboard

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/lingofox/jacana/internal/kvstore"
)

// Entry is one row of a leaderboard.
type Entry struct {
	Learner string `json:"learner"`
	Score   int    `json:"score"`
	Rank    int    `json:"rank"`
}

// Board reads leaderboards.
type Board struct {
	KV *kvstore.Store
	// MaxPages bounds how much of a week is scanned per request.
	MaxPages int
}

// prefix is "lb:<course>:<week>:"; the indexed verbs keep the argument order
// stable when the layout was changed from week-first.
func prefix(course string, week int) string {
	return fmt.Sprintf("lb:%[2]s:%[1]d:", week, course)
}

func scoreFromMeta(m any) int {
	if mm, ok := m.(map[string]any); ok {
		if f, ok := mm["score"].(float64); ok {
			return int(f)
		}
	}
	return 0
}

// Top returns the n best learners of the week, scanning at most MaxPages
// pages of keys.
func (b *Board) Top(ctx context.Context, course string, week, n int) ([]Entry, bool, error) {
	pfx := prefix(course, week)
	next, stop := iter.Pull2(b.KV.Pages(ctx, pfx, cmp.Or(b.MaxPages, 5)))
	defer stop()
	var out []Entry
	for {
		keys, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return nil, false, err
		}
		for _, k := range keys {
			out = append(out, Entry{Learner: strings.TrimPrefix(k.Name, pfx), Score: scoreFromMeta(k.Metadata)})
		}
	}
	rank(out)
	return out[:min(n, len(out))], true, nil
}

func rank(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int { return cmp.Compare(b.Score, a.Score) })
	for i := range es {
		e := &es[i]
		e.Rank = i + 1
	}
}

// Page returns one page of a week's leaderboard keys and the cursor for the
// next one; the admin UI pages through it.
func (b *Board) Page(ctx context.Context, course string, week int, cursor string) ([]Entry, string, error) {
	keys, next, err := b.KV.Page(ctx, prefix(course, week), cursor, 500)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		out = append(out, Entry{Learner: k.Name, Score: scoreFromMeta(k.Metadata)})
	}
	return out, next, nil
}

// History returns a learner's scores for the last weeks, one key per week.
func (b *Board) History(ctx context.Context, course, learner string, weeks []int) (map[int]int, error) {
	keys := make([]string, 0, len(weeks))
	for _, w := range weeks {
		keys = append(keys, prefix(course, w)+learner)
	}
	vals, err := b.KV.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[int]int, len(vals))
	for i, w := range weeks {
		if v, ok := vals[keys[i]]; ok {
			out[w], _ = strconv.Atoi(v)
		}
	}
	return out, nil
}

// Profiles returns the public profile blobs of a week's participants, for the
// "hall of fame" e-mail.
func (b *Board) Profiles(ctx context.Context, course string, week int) ([]json.RawMessage, error) {
	c := b.KV.Cursor(ctx, prefix(course, week), 200)
	var out []json.RawMessage
	for c.Next() {
		learner := strings.TrimPrefix(c.Key().Name, prefix(course, week))
		raw, err := b.KV.Get(ctx, "profile:"+learner) // EXPECT kvlist
		if err != nil {
			continue
		}
		out = append(out, json.RawMessage(raw))
	}
	return out, c.Err()
}

// Archive copies every score of a finished week into the archive namespace.
func (b *Board) Archive(ctx context.Context, archiveNS, course string, week int) (int, error) {
	api := b.KV.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(b.KV.Account()),
		Prefix:    cloudflare.F(prefix(course, week)),
		Limit:     cloudflare.F(float64(5000)), // EXPECT kvlimits
	}
	var body []kv.NamespaceBulkUpdateParamsBody
	for {
		page, err := api.KV.Namespaces.Keys.List(ctx, b.KV.Namespace(), params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Result {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:      cloudflare.F("archive:" + k.Name),
				Value:    cloudflare.F(strconv.Itoa(scoreFromMeta(k.Metadata))),
				Metadata: cloudflare.F(k.Metadata),
			})
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	if len(body) == 0 {
		return 0, nil
	}
	_, err := api.KV.Namespaces.BulkUpdate(ctx, archiveNS, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(b.KV.Account()),
		Body:      body,
	})
	return len(body), err
}

// Learners lists the learners who scored in a week, for the recap job.
func (b *Board) Learners(ctx context.Context, course string, week int) ([]string, error) {
	pfx := prefix(course, week)
	var out []string
	cursor := ""
	for page := 0; page < 20; page++ {
		keys, next, err := b.KV.Page(ctx, pfx, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			break
		}
		for _, k := range keys {
			out = append(out, strings.TrimPrefix(k.Name, pfx))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}
