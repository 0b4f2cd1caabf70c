package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"bunting/internal/kvstore"
)

const (
	summaryLifetime   = 7 * 365 * 24 * time.Hour
	previewTTL        = 45
	importBatch       = 20000
	maxInlineSummary  = 512 << 10
	exportJobInterval = 15 * time.Minute
)

func summaryKey(clinicID, visitID string) string {
	return fmt.Sprintf("summary:%s:%s", clinicID, visitID)
}

// SaveSummary stores a signed visit summary. Summaries with long transcripts
// are split over several keys.
func (e *Exporter) SaveSummary(ctx context.Context, clinicID string, s VisitSummary) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	key := summaryKey(clinicID, s.VisitID)
	if len(raw) > maxInlineSummary {
		return e.st.PutLarge(ctx, key, raw, summaryLifetime)
	}
	meta := summaryMeta{PatientID: s.PatientID, SignedAt: s.SignedAt.Unix(), Size: len(raw)}
	return e.st.WriteBatch(ctx, kvstore.Batch{{
		Key:           key,
		Value:         string(raw),
		Metadata:      meta,
		ExpirationTTL: int(summaryLifetime.Seconds()),
	}})
}

// Previews collects short previews for the clinician inbox; they are sent
// together by Flush.
type Previews struct {
	pending map[string]*kvstore.Pair
}

// NewPreviews returns an empty preview buffer.
func NewPreviews() *Previews { return &Previews{pending: make(map[string]*kvstore.Pair)} }

// Add queues the preview of a summary.
func (p *Previews) Add(clinicianID string, s VisitSummary) {
	text := s.Plan
	if len(text) > 280 {
		text = text[:280]
	}
	pair := &kvstore.Pair{Key: "preview:" + clinicianID + ":" + s.VisitID, Value: text}
	pair.ExpirationTTL = previewTTL // EXPECT kvttl
	p.pending[pair.Key] = pair
}

// Flush writes the queued previews.
func (p *Previews) Flush(ctx context.Context, st *kvstore.Store) error {
	batch := make(kvstore.Batch, 0, len(p.pending))
	for _, pair := range p.pending {
		batch = append(batch, pair)
	}
	if err := st.WriteBatch(ctx, batch); err != nil {
		return err
	}
	clear(p.pending)
	return nil
}

// Import loads summaries migrated from the previous vendor.
func (e *Exporter) Import(ctx context.Context, clinicID string, all []VisitSummary) error {
	pairs := make(kvstore.Batch, 0, len(all))
	for _, s := range all {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		pairs = append(pairs, &kvstore.Pair{
			Key:           summaryKey(clinicID, s.VisitID),
			Value:         string(raw),
			Metadata:      summaryMeta{PatientID: s.PatientID, SignedAt: s.SignedAt.Unix(), Size: len(raw)},
			ExpirationTTL: int(summaryLifetime.Seconds()),
		})
	}
	for off := 0; off < len(pairs); off += importBatch {
		end := min(off+importBatch, len(pairs))
		if err := e.st.WriteBatch(ctx, pairs[off:end]); err != nil { // EXPECT kvlimits
			return fmt.Errorf("import batch at %d: %w", off, err)
		}
	}
	return nil
}

// RunExportJob records each scheduled export run; it is called by the
// scheduler every exportJobInterval.
func (e *Exporter) RunExportJob(ctx context.Context, clinicID string) error {
	started := time.Now().UTC()
	n, err := e.Count(ctx, clinicID)
	if err != nil {
		return err
	}
	rec, _ := json.Marshal(map[string]any{"clinic": clinicID, "started": started, "summaries": n})
	return e.st.Put(ctx, "export:last-run:"+clinicID, rec, 2*exportJobInterval)
}

// ExportQuota tracks the exports each auditor ran this month, counted by
// this process and persisted for the compliance dashboard.
type ExportQuota struct {
	counts map[string]int
}

// NewExportQuota returns an empty quota tracker.
func NewExportQuota() *ExportQuota { return &ExportQuota{counts: make(map[string]int)} }

// Note counts one export by auditorID and persists the total.
func (q *ExportQuota) Note(ctx context.Context, auditorID string) error {
	month := time.Now().UTC().Format("200601")
	q.counts[auditorID+":"+month]++
	raw, _ := json.Marshal(q.counts[auditorID+":"+month])
	return kvstore.Put(ctx, "export-quota:"+auditorID+":"+month, raw, 40*24*time.Hour) // EXPECT kvcounter
}
