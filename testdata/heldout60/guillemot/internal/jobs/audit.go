package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
)

const (
	dormantAfter     = 3 * 365 * 24 * time.Hour
	archiveRetention = 400 * 24 * time.Hour
)

// retentionNotice travels with every archived report row, as required by the
// trust & safety team's retention policy.
const retentionNotice = "This record is part of the weekly account audit of the Guillemot community forum. " +
	"It is retained for four hundred days under the forum's data retention policy, section 4.2, and may only be " +
	"accessed by members of the trust and safety team acting on a documented case. Any other access, copying or " +
	"disclosure is prohibited. Records that are subject to a legal hold must not be deleted or modified while the " +
	"hold is in place, even after the retention period has ended; contact the data protection officer before any " +
	"manual change. Members may request a copy of the records that concern them through the privacy centre; such " +
	"requests are answered within thirty days. The audit flags accounts that have been dormant for more than three " +
	"years, accounts pending deletion, and accounts whose sessions outlive the forum's session policy. A flag is not " +
	"a finding of wrongdoing and must not be used as the sole basis of a moderation decision. Questions about this " +
	"record go to trust-and-safety@forum.example; questions about the policy go to privacy@forum.example."

// Row is one flagged account in the audit report.
type Row struct {
	UID    string `json:"uid"`
	Handle string `json:"handle"`
	Reason string `json:"reason"`
}

// Report is the weekly audit's result.
type Report struct {
	Week          string `json:"week"`
	Accounts      int    `json:"accounts"`
	Disabled      int    `json:"disabled"`
	Pending       int    `json:"pending_deletion"`
	RevokedSample []string
	Flagged       []Row `json:"flagged"`
}

// Auditor produces the weekly account audit.
type Auditor struct {
	Accounts *kv.Namespace
	Auth     *kv.Namespace
	Archive  *kv.Namespace
}

func metaOf(k cloudflare.StorageKey) accounts.Meta {
	var m accounts.Meta
	if raw, err := json.Marshal(k.Metadata); err == nil {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

// Run builds the report for the week of now and archives it.
func (a *Auditor) Run(ctx context.Context, now time.Time) (*Report, error) {
	ctx, span := tracer.Start(ctx, "jobs.audit")
	defer span.End()
	year, week := now.ISOWeek()
	rep := &Report{Week: fmt.Sprintf("%d-W%02d", year, week)}

	page, err := a.Accounts.ListPage(ctx, "acct:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	rep.Accounts = len(page.Keys)
	for _, k := range page.Keys {
		m := metaOf(k)
		uid := k.Name[len("acct:"):]
		switch {
		case m.Status == accounts.StatusDisabled:
			rep.Disabled++
		case m.Status == accounts.StatusPendingDeletion:
			rep.Pending++
			rep.Flagged = append(rep.Flagged, Row{UID: uid, Handle: m.Handle, Reason: "pending deletion"})
		case m.LastLogin > 0 && now.Sub(time.Unix(m.LastLogin, 0)) > dormantAfter:
			rep.Flagged = append(rep.Flagged, Row{UID: uid, Handle: m.Handle, Reason: "dormant"})
		}
	}

	for _, row := range rep.Flagged {
		line := rep.Week + " " + row.Reason
		if err := a.appendAudit(ctx, row.UID, line); err != nil {
			span.RecordError(err)
		}
		progress, _ := json.Marshal(rep)
		if err := a.Accounts.Put(ctx, "audit:report", progress, 0); err != nil { // EXPECT kvhotkey
			span.RecordError(err)
		}
	}
	if err := a.Accounts.Put(ctx, "stats:flagged-count", []byte(strconv.Itoa(len(rep.Flagged))), 0); err != nil { // DEBATABLE kvcounter
		span.RecordError(err)
	}

	if rep.RevokedSample, err = a.sampleRevoked(ctx); err != nil {
		span.RecordError(err)
	}
	span.SetAttributes(attribute.Int("audit.flagged", len(rep.Flagged)))
	return rep, a.archive(ctx, rep)
}

// appendAudit adds a line to the account's audit trail.
func (a *Auditor) appendAudit(ctx context.Context, uid, line string) error {
	key := "audit:" + uid
	prev, err := a.Accounts.Get(ctx, key)
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	return a.Accounts.Put(ctx, key, []byte(string(prev)+line+"\n"), 0) // EXPECT kvrace
}

// sampleRevoked returns a few revoked app tokens for the report's spot check.
func (a *Auditor) sampleRevoked(ctx context.Context) ([]string, error) {
	api, rc, id := a.Auth.SDK()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: id,
		Prefix:      "revoked:",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

type archiveMeta struct {
	Week   string `json:"week"`
	Notice string `json:"notice"`
}

// archive writes one archive entry per flagged account and the summary.
func (a *Auditor) archive(ctx context.Context, rep *Report) error {
	api, rc, id := a.Archive.SDK()
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(rep.Flagged)+1)
	for _, row := range rep.Flagged {
		data, err := json.Marshal(row)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "report:" + rep.Week + ":" + row.UID,
			Value:         string(data),
			ExpirationTTL: int(archiveRetention.Seconds()),
			Metadata:      archiveMeta{Week: rep.Week, Notice: retentionNotice}, // EXPECT kvlimits
		})
	}
	summary, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "report:" + rep.Week, Value: string(summary), ExpirationTTL: int(archiveRetention.Seconds())})
	for batch := range slices.Chunk(pairs, 25_000) { // EXPECT kvlimits
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: id, KVs: batch}); err != nil {
			return err
		}
	}
	return nil
}
