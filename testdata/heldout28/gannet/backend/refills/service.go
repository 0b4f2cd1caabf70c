// Package refills handles prescription refill requests submitted through
// the patient portal and reviewed by the practice's prescribers.
package refills

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/keys"
	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

var (
	timeNow  = time.Now
	newID    = randomID
	errInput = errors.New("refills: medication and pharmacy are required")
)

func randomID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Config tunes the service per deployment.
type Config struct {
	// PendingTTL is how long an unreviewed request's status stays visible.
	PendingTTL ttl.Seconds
	// MonthlyQuota caps requests per patient and calendar month.
	MonthlyQuota int
	// Location is the practice's time zone, for month boundaries.
	Location *time.Location
}

// Notifier tells the prescriber pool that a request is waiting.
type Notifier func(ctx context.Context, req domain.RefillRequest) error

// rawStore is the part of the namespace adapter used for preferences,
// which predate the repository layer.
type rawStore interface {
	Fetch(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
}

// Service is the refill workflow.
type Service struct {
	cfg    Config
	queues *storage.Repo[domain.RefillQueue]
	kv     storage.KV
	prefs  rawStore
	notify Notifier
}

// New wires the service. kv holds queues, statuses and quotas; prefs holds
// the patient's pharmacy preferences.
func New(kv storage.KV, prefs rawStore, cfg Config, notify Notifier) *Service {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.MonthlyQuota == 0 {
		cfg.MonthlyQuota = 6
	}
	return &Service{
		cfg: cfg,
		queues: storage.NewRepo(kv, "refill-queue",
			storage.WithKeys[domain.RefillQueue](keys.Refills),
			storage.WithSchema[domain.RefillQueue](2, queueMigrations),
			storage.WithTTL[domain.RefillQueue](ttl.RefillPending),
		),
		kv:     kv,
		prefs:  prefs,
		notify: notify,
	}
}

// Schema 1 called the pharmacy "store".
var queueMigrations = codec.Migrations{
	"refill-queue": {
		0: func(raw json.RawMessage) (json.RawMessage, error) { return raw, nil },
		1: codec.Rename(map[string]string{"store": "pharmacy"}),
	},
}

func quotaKey(patientID string, now time.Time, loc *time.Location) string {
	return "refill-quota:" + keys.Hash(patientID) + ":" + now.In(loc).Format("200601")
}

// Submit files a new refill request.
func (s *Service) Submit(ctx context.Context, patientID, medication, pharmacy string) (domain.RefillRequest, error) {
	if medication == "" || pharmacy == "" {
		return domain.RefillRequest{}, errInput
	}
	now := timeNow()

	qk := quotaKey(patientID, now, s.cfg.Location)
	used := 0
	if b, ok, err := s.kv.Get(ctx, qk); err != nil {
		return domain.RefillRequest{}, err
	} else if ok {
		used, _ = strconv.Atoi(string(b))
	}
	if used >= s.cfg.MonthlyQuota {
		return domain.RefillRequest{}, domain.ErrQuota
	}
	expires := ttl.EndOfMonth(now, s.cfg.Location).Add(24 * time.Hour)
	if err := s.kv.Put(ctx, qk, []byte(strconv.Itoa(used+1)), storage.PutOptions{ExpiresAt: expires}); err != nil { // EXPECT kvcounter
		return domain.RefillRequest{}, err
	}

	req := domain.RefillRequest{
		ID:         newID(),
		PatientID:  patientID,
		Medication: medication,
		Pharmacy:   pharmacy,
		Submitted:  now,
		Status:     domain.RefillPending,
	}
	q, _, err := s.queues.Get(ctx, patientID)
	if err != nil {
		return domain.RefillRequest{}, err
	}
	q.PatientID = patientID
	q.Requests = append(q.Requests, req)
	if err := s.queues.Put(ctx, patientID, q); err != nil { // EXPECT kvrace
		return domain.RefillRequest{}, err
	}
	if err := s.writeStatus(ctx, req, s.cfg.PendingTTL); err != nil {
		return domain.RefillRequest{}, err
	}
	if s.notify != nil {
		if err := s.notify(ctx, req); err != nil {
			return req, fmt.Errorf("refills: submitted %s but notify failed: %w", req.ID, err)
		}
	}
	return req, nil
}

func (s *Service) writeStatus(ctx context.Context, req domain.RefillRequest, life ttl.Seconds) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, keys.RefillStatus(req.ID), b, storage.PutOptions{TTL: life.Duration()})
}

// Status returns the last known state of a request.
func (s *Service) Status(ctx context.Context, requestID string) (domain.RefillRequest, error) {
	b, ok, err := s.kv.Get(ctx, keys.RefillStatus(requestID))
	if err != nil {
		return domain.RefillRequest{}, err
	}
	if !ok {
		return domain.RefillRequest{}, domain.ErrNotFound
	}
	var req domain.RefillRequest
	err = json.Unmarshal(b, &req)
	return req, err
}

// PharmacyPrefs is what a patient chose as default pharmacy.
type PharmacyPrefs struct {
	PharmacyEmail string `json:"pharmacy_email"`
	AllowGeneric  bool   `json:"allow_generic"`
}

func prefsKey(patientID string) string { return "pharmacy-prefs:" + keys.Hash(patientID) }

// EnsurePrefs makes sure a patient has pharmacy preferences, creating the
// practice defaults on first use.
func (s *Service) EnsurePrefs(ctx context.Context, patientID string, defaults PharmacyPrefs) (PharmacyPrefs, error) {
	b, err := s.prefs.Fetch(ctx, prefsKey(patientID)) // EXPECT kvnull
	if err != nil {
		// First visit: nothing stored yet.
		out, merr := json.Marshal(defaults)
		if merr != nil {
			return PharmacyPrefs{}, merr
		}
		return defaults, s.prefs.Put(ctx, prefsKey(patientID), out, storage.PutOptions{})
	}
	var p PharmacyPrefs
	return p, json.Unmarshal(b, &p)
}
