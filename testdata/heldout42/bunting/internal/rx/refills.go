// Package rx handles prescription refill requests from patients and
// pharmacies.
package rx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bunting/internal/db"
	"bunting/internal/kvstore"
)

// ErrLimitReached is returned when a prescription has no refills left.
var ErrLimitReached = errors.New("rx: refill limit reached")

// Prescription is the part of an EHR prescription the refill flow needs.
type Prescription struct {
	ID          string `json:"id"`
	PatientID   string `json:"patient_id"`
	Drug        string `json:"drug"`
	RefillsMax  int    `json:"refills_max"`
	Controlled  bool   `json:"controlled"`
	PrescribeBy string `json:"prescriber_id"`
}

// EHR fetches prescriptions from the source of truth.
type EHR interface {
	Prescription(ctx context.Context, id string) (Prescription, error)
}

// Service processes refills.
type Service struct {
	q   *db.Queries
	ehr EHR
	log *slog.Logger

	mu          sync.Mutex
	pharmacyDay map[string]int // pharmacyID|day -> refills sent today by this instance
}

// NewService returns a refill service.
func NewService(q *db.Queries, ehr EHR, log *slog.Logger) *Service {
	return &Service{q: q, ehr: ehr, log: log, pharmacyDay: make(map[string]int)}
}

// Lookup returns a prescription, read through the KV cache.
func (s *Service) Lookup(ctx context.Context, id string, out *Prescription) error {
	key := "rx:cache:" + id
	err := kvstore.Load(ctx, key, out)
	if err == nil {
		return nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	p, err := s.ehr.Prescription(ctx, id)
	if err != nil {
		return err
	}
	*out = p
	raw, _ := json.Marshal(p)
	return kvstore.PutCached(ctx, key, raw, 20*time.Second)
}

// RequestRefill records a refill request and counts it against the
// prescription's allowance.
func (s *Service) RequestRefill(ctx context.Context, rxID, pharmacyID string, qty int) error {
	var p Prescription
	if err := s.Lookup(ctx, rxID, &p); err != nil {
		return err
	}
	used, err := s.q.GetRefillCount(ctx, rxID)
	if err != nil {
		return err
	}
	if used >= p.RefillsMax {
		return ErrLimitReached
	}
	if err := s.q.AppendRefillRequest(ctx, rxID, db.RefillReq{At: time.Now().UTC(), PharmacyID: pharmacyID, Quantity: qty}); err != nil {
		return err
	}
	if _, err := s.q.IncrementRefillCount(ctx, rxID); err != nil {
		return err
	}
	return s.notePharmacy(ctx, pharmacyID)
}

// notePharmacy tracks the daily refill volume per pharmacy for the
// pharmacy-benefit quota report.
func (s *Service) notePharmacy(ctx context.Context, pharmacyID string) error {
	day := time.Now().UTC().Format("20060102")
	s.mu.Lock()
	s.pharmacyDay[pharmacyID+"|"+day]++
	n := s.pharmacyDay[pharmacyID+"|"+day]
	s.mu.Unlock()
	key := fmt.Sprintf("quota:pharmacy:%s:%s", pharmacyID, day)
	return kvstore.Put(ctx, key, []byte(strconv.Itoa(n)), 48*time.Hour) // EXPECT kvcounter
}

// Remaining reports how many refills are left, for the patient app.
func (s *Service) Remaining(ctx context.Context, rxID string) (int, error) {
	var p Prescription
	if err := s.Lookup(ctx, rxID, &p); err != nil {
		return 0, err
	}
	st := kvstore.Default()
	api, rc := st.API()
	raw, _ := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: st.Namespace(), Key: "rx:refills:" + rxID}) // EXPECT kvnull
	used, _ := strconv.Atoi(string(raw))
	return p.RefillsMax - used, nil
}

// ResetWindow starts a new refill window when the prescriber renews, and
// records when the renewal lapses.
func (s *Service) ResetWindow(ctx context.Context, rxID string, renewal time.Duration) error {
	st := kvstore.Default()
	api, rc := st.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: st.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{
			{Key: "rx:refills:" + rxID, Value: "0", ExpirationTTL: int(renewal)}, // EXPECT kvttl
			{Key: "rx:renewed:" + rxID, Value: time.Now().UTC().Format(time.RFC3339), ExpirationTTL: int(renewal.Seconds())},
		},
	})
	return err
}
