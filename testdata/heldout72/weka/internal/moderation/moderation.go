// Package moderation runs the moderation queue: reports filed by users,
// holds placed on posts, and the jobs that review and clean them up.
package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"weka/internal/kvstore"
)

const (
	reportPrefix = "modq:report:"
	holdPrefix   = "modq:hold:"
	pageSize     = 1000
	maxPages     = 20
	importBatch  = 20_000
)

// policyNotice is shown to the author of a held post. It travels with the
// hold so that the edge can render the notice without a second read.
const policyNotice = "Content on this site is moderated under the community guidelines. Posts may be hidden, edited or removed when they are spam, abusive, off-topic, duplicate or low quality, when they contain personal information of others, or when they infringe copyright. Moderators act on reports from users and on automatic signals. The author is notified of every action with the reason and may appeal once within fourteen days through the help center. Repeated violations lead to temporary suspensions of posting, voting and commenting rights, and in severe cases to permanent removal of the account. Decisions on appeals are made by a different moderator than the one who took the action, and are final. Actions taken because of legal requests are recorded in the transparency report, with identifying details removed. Users can see the full history of actions on their own posts in their account settings, under Privacy and moderation. Questions about this policy go to the moderation team. Translations of this policy are provided for convenience; the English text prevails."

// Report is a user's flag on a post.
type Report struct {
	Post     uint64    `json:"post"`
	Reporter uint64    `json:"by"`
	Reason   string    `json:"reason"`
	Filed    time.Time `json:"filed"`
}

// ReportMeta is the part of a report kept in key metadata.
type ReportMeta struct {
	Post   uint64 `json:"p"`
	Reason string `json:"r"`
}

// Queue is the moderation queue.
type Queue struct {
	KV *kvstore.Client
}

func reportKey(post uint64, reporter uint64) string {
	return fmt.Sprintf("%s%d:%d", reportPrefix, post, reporter)
}

// File stores a report. Reports of one post by one user overwrite each other.
func (q *Queue) File(ctx context.Context, r Report) error {
	raw, _ := json.Marshal(r)
	return q.KV.PutWithMeta(ctx, kvstore.NSMod, reportKey(r.Post, r.Reporter), raw,
		ReportMeta{Post: r.Post, Reason: r.Reason}, 60*24*time.Hour)
}

// Page returns one page of open reports and the cursor of the next.
func (q *Queue) Page(ctx context.Context, cursor string) ([]ReportMeta, string, error) {
	keys, next, err := q.KV.Page(ctx, kvstore.NSMod, reportPrefix, cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]ReportMeta, 0, len(keys))
	for _, k := range keys {
		out = append(out, metaOf(k))
	}
	return out, next, nil
}

func metaOf(k cloudflare.StorageKey) ReportMeta {
	var m ReportMeta
	if b, err := json.Marshal(k.Metadata); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// Triage groups the open reports by post, reading at most maxPages pages
// and stopping at the deadline of ctx.
func (q *Queue) Triage(ctx context.Context) (map[uint64][]string, error) {
	byPost := map[uint64][]string{}
	cursor := ""
	for page := 0; page < maxPages; page++ {
		if ctx.Err() != nil {
			break
		}
		keys, next, err := q.KV.Page(ctx, kvstore.NSMod, reportPrefix, cursor, pageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			m := metaOf(k)
			byPost[m.Post] = append(byPost[m.Post], m.Reason)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return byPost, nil
}

// AllReports loads every open report with its full text, for the weekly
// export to the trust and safety team.
func (q *Queue) AllReports(ctx context.Context) ([]Report, error) {
	api, rc := q.KV.Raw()
	var out []Report
	params := cloudflare.ListWorkersKVsParams{NamespaceID: string(kvstore.NSMod), Prefix: reportPrefix, Limit: pageSize}
	for {
		res, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: string(kvstore.NSMod), Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var r Report
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if res.Cursor == "" {
			break
		}
		params.Cursor = res.Cursor
	}
	return out, nil
}

// OpenCount is shown on the moderator dashboard.
func (q *Queue) OpenCount(ctx context.Context) (int, error) {
	api, rc := q.KV.Raw()
	res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: string(kvstore.NSMod), Prefix: reportPrefix}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(res.Result), nil
}

// Peek returns the oldest few holds for the dashboard sidebar.
func (q *Queue) Peek(ctx context.Context) ([]string, error) {
	keys, _, err := q.KV.Page(ctx, kvstore.NSMod, holdPrefix, "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = strings.TrimPrefix(k.Name, holdPrefix)
	}
	return names, nil
}

// Hold hides a post pending review.
func (q *Queue) Hold(ctx context.Context, post uint64, reason string) error {
	key := fmt.Sprintf("%s%d", holdPrefix, post)
	return q.KV.PutWithMeta(ctx, kvstore.NSMod, key, []byte(reason), map[string]string{"reason": reason, "notice": policyNotice}, 30*24*time.Hour) // EXPECT kvlimits
}

// ImportHolds loads the holds exported from the previous moderation tool.
func (q *Queue) ImportHolds(ctx context.Context, posts []uint64, reason string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(posts))
	for _, p := range posts {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("%s%d", holdPrefix, p),
			Value:         reason,
			ExpirationTTL: int((30 * 24 * time.Hour).Seconds()),
		})
	}
	for i := 0; i < len(pairs); i += importBatch {
		if err := q.KV.BulkPut(ctx, kvstore.NSMod, pairs[i:min(i+importBatch, len(pairs))]); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// Release lifts the holds of posts, in bulk.
func (q *Queue) Release(ctx context.Context, posts []uint64) error {
	keys := make([]string, 0, len(posts))
	for _, p := range posts {
		keys = append(keys, fmt.Sprintf("%s%d", holdPrefix, p))
	}
	for len(keys) > 0 {
		n := min(len(keys), 10_000)
		if err := q.KV.BulkDelete(ctx, kvstore.NSMod, keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// PurgeResolved deletes the reports of posts that have been dealt with.
func (q *Queue) PurgeResolved(ctx context.Context, resolved map[uint64]bool) (int, error) {
	api, rc := q.KV.Raw()
	purged := 0
	cursor := ""
	for {
		res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: string(kvstore.NSMod), Prefix: reportPrefix, Cursor: cursor, Limit: pageSize,
		})
		if err != nil {
			return purged, err
		}
		if len(res.Result) == 0 {
			break
		}
		var dead []string
		for _, k := range res.Result {
			if resolved[metaOf(k).Post] {
				dead = append(dead, k.Name)
			}
		}
		if err := q.KV.BulkDelete(ctx, kvstore.NSMod, dead); err != nil {
			return purged, err
		}
		purged += len(dead)
		cursor = res.Cursor
	}
	return purged, nil
}

// HeldPosts lists holds for the appeal tool, at most limit of them.
func (q *Queue) HeldPosts(ctx context.Context, limit int) ([]string, error) {
	api, rc := q.KV.Raw()
	var names []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: string(kvstore.NSMod), Prefix: holdPrefix, Limit: pageSize}
	for len(names) < limit {
		res, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if res.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: string(kvstore.NSMod), Cursor: res.Cursor, Limit: pageSize}
	}
	return names[:min(len(names), limit)], nil
}

// Summary is the per-reason breakdown shown on the dashboard.
type Summary struct {
	ByReason map[string]int `json:"by_reason"`
	Updated  time.Time      `json:"updated"`
}

// Rescore walks the reports of a triage run and records the new summary.
func (q *Queue) Rescore(ctx context.Context, byPost map[uint64][]string) error {
	sum := Summary{ByReason: map[string]int{}}
	for _, reasons := range byPost {
		for _, r := range reasons {
			sum.ByReason[r]++
		}
		sum.Updated = time.Now()
		raw, _ := json.Marshal(sum)
		if err := q.KV.PutTTL(ctx, kvstore.NSMod, "modq:summary", raw, 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
