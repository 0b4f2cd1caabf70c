// Package refill handles refill requests from the moment a patient asks for
// one until the pharmacy hands the bag over.
package refill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"hihi/internal/db"
	"hihi/internal/enums"
	"hihi/internal/kvstore"
)

var (
	// ErrClaimed is returned when another pharmacist is already reviewing a refill.
	ErrClaimed = errors.New("refill: already claimed for review")
	// ErrClosed is returned for changes to a refill that was picked up or cancelled.
	ErrClosed = errors.New("refill: request is closed")
)

// reviewClaimTTL bounds how long an abandoned review claim blocks others.
const reviewClaimTTL = 15 * time.Minute

// Service is the refill workflow.
type Service struct {
	ns  *kvstore.Namespace
	q   *db.Queries
	now func() time.Time
}

// NewService builds a Service over the namespace.
func NewService(ns *kvstore.Namespace) *Service {
	return &Service{ns: ns, q: db.New(ns), now: time.Now}
}

// SubmitRequest is what the patient app sends.
type SubmitRequest struct {
	StoreID   string
	RxNumber  string
	PatientID string
	Channel   enums.Channel
}

func retentionSeconds(s enums.RefillStatus) int {
	return int(s.Retention().Seconds())
}

// Submit records a new refill request.
func (s *Service) Submit(ctx context.Context, req SubmitRequest) (db.RefillRequest, error) {
	now := s.now().UTC()
	r := db.RefillRequest{
		StoreID:     req.StoreID,
		RxNumber:    req.RxNumber,
		PatientID:   req.PatientID,
		Status:      enums.RefillPending.String(),
		Channel:     req.Channel.String(),
		SubmittedAt: now,
		UpdatedAt:   now,
	}
	err := s.q.CreateRefill(ctx, db.CreateRefillParams{
		StoreID:    req.StoreID,
		RxNumber:   req.RxNumber,
		Request:    r,
		TTLSeconds: retentionSeconds(enums.RefillPending),
	})
	if err != nil {
		return db.RefillRequest{}, err
	}
	s.appendTimeline(ctx, req.StoreID, req.RxNumber, "submitted")
	return r, nil
}

// Get returns one refill request.
func (s *Service) Get(ctx context.Context, storeID, rx string) (db.RefillRequest, error) {
	return s.q.GetRefill(ctx, storeID, rx)
}

// AddNote attaches a pharmacist's note to the request.
func (s *Service) AddNote(ctx context.Context, storeID, rx, author, note string) error {
	r, err := s.q.GetRefill(ctx, storeID, rx)
	if err != nil {
		return err
	}
	r.Notes = append(r.Notes, fmt.Sprintf("%s %s: %s", s.now().UTC().Format(time.RFC3339), author, note))
	r.UpdatedAt = s.now().UTC()
	st, err := enums.RefillStatusString(r.Status)
	if err != nil || st.Terminal() {
		return ErrClosed
	}
	return s.q.UpdateRefill(ctx, db.UpdateRefillParams{ // EXPECT kvrace
		StoreID:    storeID,
		RxNumber:   rx,
		Request:    r,
		TTLSeconds: retentionSeconds(st),
	})
}

// ClaimForReview marks the refill as being reviewed by one pharmacist.
func (s *Service) ClaimForReview(ctx context.Context, storeID, rx, pharmacistID string) error {
	lock, err := s.q.GetReviewLock(ctx, storeID, rx)
	switch {
	case err == nil:
		if lock.PharmacistID == pharmacistID {
			return nil
		}
		return ErrClaimed
	case !errors.Is(err, db.ErrNoRows):
		return err
	}
	return s.q.CreateReviewLock(ctx, db.CreateReviewLockParams{ // EXPECT kvrace
		StoreID:    storeID,
		RxNumber:   rx,
		Lock:       db.ReviewLock{PharmacistID: pharmacistID, ClaimedAt: s.now().UTC()},
		TTLSeconds: int(reviewClaimTTL.Seconds()),
	})
}

// Advance moves a claimed refill to the next status.
func (s *Service) Advance(ctx context.Context, storeID, rx, pharmacistID string, to enums.RefillStatus) error {
	if to == enums.RefillCancelled {
		return fmt.Errorf("refill: cancel through Cancel, not Advance")
	}
	lock, err := s.q.GetReviewLock(ctx, storeID, rx)
	if err != nil || lock.PharmacistID != pharmacistID {
		return ErrClaimed
	}
	r, err := s.q.GetRefill(ctx, storeID, rx)
	if err != nil {
		return err
	}
	r.Status = to.String()
	r.ClaimedBy = pharmacistID
	r.UpdatedAt = s.now().UTC()
	if err := s.q.UpdateRefill(ctx, db.UpdateRefillParams{ // DEBATABLE kvrace
		StoreID:    storeID,
		RxNumber:   rx,
		Request:    r,
		TTLSeconds: retentionSeconds(to),
	}); err != nil {
		return err
	}
	s.appendTimeline(ctx, storeID, rx, to.String())
	if to.Terminal() {
		return s.q.DeleteReviewLock(ctx, storeID, rx)
	}
	return nil
}

// Cancel withdraws a refill on the patient's request. The record is
// replaced by a short-lived tombstone so the app can show the outcome.
func (s *Service) Cancel(ctx context.Context, storeID, rx, patientID string) error {
	tomb := db.RefillRequest{
		StoreID:   storeID,
		RxNumber:  rx,
		PatientID: patientID,
		Status:    enums.RefillCancelled.String(),
		UpdatedAt: s.now().UTC(),
	}
	if err := s.q.UpdateRefill(ctx, db.UpdateRefillParams{
		StoreID:    storeID,
		RxNumber:   rx,
		Request:    tomb,
		TTLSeconds: retentionSeconds(enums.RefillCancelled), // EXPECT kvttl
	}); err != nil {
		return err
	}
	s.appendTimeline(ctx, storeID, rx, "cancelled")
	return nil
}

type timelineEntry struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
}

// appendTimeline keeps the audit trail shown on the refill detail page.
// Failures are not fatal to the request that caused the event.
func (s *Service) appendTimeline(ctx context.Context, storeID, rx, event string) {
	key := fmt.Sprintf("timeline:%s:%s", storeID, rx)
	var entries []timelineEntry
	raw, err := s.ns.Get(ctx, key)
	switch {
	case err == nil:
		_ = json.Unmarshal(raw, &entries)
	case !errors.Is(err, kvstore.ErrNotFound):
		return
	}
	entries = append(entries, timelineEntry{At: s.now().UTC(), Event: event})
	data, _ := json.Marshal(entries)
	_ = s.ns.Put(ctx, key, data, retentionSeconds(enums.RefillPending)) // EXPECT kvrace
}

// QueuePage returns one page of a store's refill keys and the cursor of the
// next page.
func (s *Service) QueuePage(ctx context.Context, storeID, cursor string) ([]string, string, error) {
	row, err := s.q.ListRefills(ctx, db.ListRefillsParams{StoreID: storeID, Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	return row.Keys, row.Cursor, nil
}

// PeekQueue returns the first few refill keys for the counter display and
// whether more are waiting.
func (s *Service) PeekQueue(ctx context.Context, storeID string) ([]string, bool, error) {
	row, err := s.q.ListRefills(ctx, db.ListRefillsParams{
		StoreID: storeID,
		Limit:   5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, false, err
	}
	return row.Keys, row.Cursor != "", nil
}

// ExportQueue writes every refill of a store as JSON lines, for the nightly
// hand-off to the pharmacy management system.
func (s *Service) ExportQueue(ctx context.Context, storeID string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	var cursor string
	n := 0
	for {
		row, err := s.q.ListRefills(ctx, db.ListRefillsParams{StoreID: storeID, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, key := range row.Keys {
			var rx string
			if _, err := fmt.Sscanf(key, "refill:"+storeID+":%s", &rx); err != nil {
				continue
			}
			r, err := s.q.GetRefill(ctx, storeID, rx) // EXPECT kvlist
			if err != nil {
				continue
			}
			if err := enc.Encode(r); err != nil {
				return n, err
			}
			n++
		}
		if row.Cursor == "" {
			return n, nil
		}
		cursor = row.Cursor
	}
}

// PMSRecord is one refill as exported by the pharmacy management system.
type PMSRecord struct {
	RxNumber  string
	PatientID string
	Status    enums.RefillStatus
}

// Import loads refills from the pharmacy management system for one store.
// The writes go out as bulk requests; progress is published for the admin
// console while the batch is assembled.
func (s *Service) Import(ctx context.Context, storeID string, records []PMSRecord) error {
	batch := s.ns.Begin()
	tx := s.q.WithTx(batch)
	now := s.now().UTC()
	for i, rec := range records {
		if rec.Status.Terminal() {
			continue
		}
		err := tx.CreateRefill(ctx, db.CreateRefillParams{
			StoreID:  storeID,
			RxNumber: rec.RxNumber,
			Request: db.RefillRequest{
				StoreID:     storeID,
				RxNumber:    rec.RxNumber,
				PatientID:   rec.PatientID,
				Status:      rec.Status.String(),
				SubmittedAt: now,
				UpdatedAt:   now,
			},
			TTLSeconds: retentionSeconds(rec.Status),
		})
		if err != nil {
			return err
		}
		if err := s.q.SetImportProgress(ctx, db.SetImportProgressParams{ // EXPECT kvhotkey
			StoreID:    storeID,
			Progress:   db.ImportProgress{Done: i + 1, Total: len(records)},
			TTLSeconds: 3600,
		}); err != nil {
			return err
		}
	}
	return batch.Commit(ctx)
}
